"""``python -m quiz``."""

from quiz.cli import main

if __name__ == "__main__":
    main()
