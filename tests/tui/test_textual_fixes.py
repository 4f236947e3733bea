"""quiz.tui.textual_fixes: widgets are not styled before they are in the DOM, and are once
they are; a class change on a mounted widget still restyles it. A screen shown for the first
time is not restyled on top of its mount; one shown again is. A compact select's overlay is
compact from the start, not restyled as it mounts. A line that fits is one line high without
being wrapped, and every text measures as Textual measures it."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Button, Footer, Select, Static
from textual.widgets._footer import FooterKey
from textual.widgets._select import SelectOverlay

from quiz.tui import textual_fixes


def installed(owner: Any, name: str, marker: str) -> Any:
    """The fix ``apply`` puts in place of Textual's ``owner.<name>``: marked, and left as it is
    by a second ``apply`` (idempotent)."""
    textual_fixes.apply()
    fixed = getattr(owner, name)
    assert getattr(fixed, marker, False)
    textual_fixes.apply()
    assert getattr(owner, name) is fixed
    return fixed


class Sized(App[None]):
    CSS = ".wide { width: 17; } Static { width: 5; }"

    def compose(self) -> ComposeResult:
        yield Static("here", id="here")


@pytest.fixture
def restyled(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The nodes each stylesheet update was asked to restyle, in order."""
    from textual.css.stylesheet import Stylesheet

    calls: list[Any] = []
    update = Stylesheet.update_nodes

    def spy(self: Stylesheet, nodes: Any, animate: bool = False) -> None:
        nodes = list(nodes)
        calls.append(nodes)
        update(self, nodes, animate=animate)

    monkeypatch.setattr(Stylesheet, "update_nodes", spy)
    return calls


async def test_a_detached_widget_is_styled_when_mounted_not_before(restyled: list[Any]) -> None:
    textual_fixes.apply()
    app = Sized()
    async with app.run_test() as pilot:
        await pilot.pause()
        restyled.clear()
        widget = Static("new")
        widget.add_class("wide")
        button = Button("x", compact=True)  # a toggle_class reactive set in the constructor
        assert restyled == []
        await app.screen.mount(widget, button)
        await pilot.pause()
        assert widget.styles.width is not None and widget.styles.width.value == 17
        assert button.has_class("-textual-compact")
        assert button.styles.border_top[0] in ("", "none")  # Button's compact rule applied

        widget.remove_class("wide")  # mounted: restyled at once, as Textual does
        assert any(widget in nodes for nodes in restyled)
        assert widget.styles.width is not None and widget.styles.width.value == 5


async def test_textual_itself_still_styles_detached_widgets(restyled: list[Any]) -> None:
    """What the fix saves: Textual's own method restyles a widget that is in no DOM yet."""
    fixed = installed(DOMNode, "update_node_styles", "attached_only")
    async with Sized().run_test() as pilot:
        await pilot.pause()
        restyled.clear()
        widget = Static("new")
        fixed.textual(widget)  # type: ignore[attr-defined]
        assert any(widget in nodes for nodes in restyled)


class Pair(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Static("one", classes="wide")
        yield Static("two")


def whole(screen: Screen, restyled: list[Any]) -> bool:
    """Whether a stylesheet update went over ``screen`` and its widgets."""
    return any(screen in nodes and len(nodes) > 1 for nodes in restyled)


async def test_a_fresh_screen_is_styled_as_it_mounts_not_again_on_resume(
        restyled: list[Any]) -> None:
    textual_fixes.apply()
    app = Sized()
    async with app.run_test() as pilot:
        await pilot.pause()
        app.install_screen(screen := Pair(), "pair")
        restyled.clear()
        await app.push_screen("pair")
        await pilot.pause()
        assert not whole(screen, restyled)
        one, two = screen.query(Static)
        assert one.styles.width is not None and one.styles.width.value == 17
        assert two.styles.width is not None and two.styles.width.value == 5

        await app.pop_screen()
        await pilot.pause()
        restyled.clear()
        await app.push_screen("pair")  # shown again: Textual restyles it, the fix keeps that
        await pilot.pause()
        assert whole(screen, restyled)


async def test_textual_itself_restyles_a_fresh_screen_on_resume(
        restyled: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """What the fix saves: Textual's own handler goes over the screen it has just styled."""
    fixed = installed(Screen, "_on_screen_resume", "first_kept")
    monkeypatch.setattr(Screen, "_on_screen_resume", fixed.textual)  # type: ignore[attr-defined]
    app = Sized()
    async with app.run_test() as pilot:
        await pilot.pause()
        restyled.clear()
        await app.push_screen(screen := Pair())
        await pilot.pause()
        assert whole(screen, restyled)


class WithFooter(App[None]):
    BINDINGS = [("a", "one", "One"), ("b", "two", "Two"), ("c", "three", "Three")]

    def action_one(self) -> None: ...
    def action_two(self) -> None: ...
    def action_three(self) -> None: ...

    def compose(self) -> ComposeResult:
        yield Static("body")
        yield Footer(compact=True)


def footer_keys_restyled(restyled: list[Any]) -> int:
    return sum(isinstance(node, FooterKey) for nodes in restyled for node in nodes)


async def test_a_compact_footers_keys_are_compact_from_the_start(restyled: list[Any]) -> None:
    textual_fixes.apply()
    app = WithFooter()
    async with app.run_test() as pilot:
        await pilot.pause()
        keys = list(app.query(FooterKey))
        assert len(keys) >= 3 and all(key.has_class("-compact") for key in keys)
        assert footer_keys_restyled(restyled) == 0
        assert "One" in app.screen.query_one(Footer).query_one(FooterKey).render().plain


async def test_textual_itself_restyles_each_footer_key_once_mounted(
        restyled: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    fixed = installed(Footer, "compose", "born_compact")
    monkeypatch.setattr(Footer, "compose", fixed.textual)  # type: ignore[attr-defined]
    async with WithFooter().run_test() as pilot:
        await pilot.pause()
        assert footer_keys_restyled(restyled) >= 3



class Toggling(WithFooter):
    """A footer whose second key is enabled or not by a flag (check_action)."""

    two_on = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "two" and not self.two_on else True  # None: shown dimmed


def composed_keys(monkeypatch: pytest.MonkeyPatch, compose: Any) -> list[list[str]]:
    """The keys each Footer.compose call yields (descriptions, disabled ones marked)."""
    calls: list[list[str]] = []

    def spy(self: Footer) -> Any:
        keys: list[str] = []
        calls.append(keys)
        for widget in compose(self):
            if isinstance(widget, FooterKey):
                keys.append(widget.description + " (off)" * widget.has_class("-disabled"))
            yield widget

    monkeypatch.setattr(Footer, "compose", spy)
    return calls


async def test_a_footer_has_its_keys_from_the_start_and_recomposes_only_for_new_ones(
        monkeypatch: pytest.MonkeyPatch) -> None:
    textual_fixes.apply()
    calls = composed_keys(monkeypatch, Footer.compose)
    app = Toggling()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert calls == [["One", "Two", "Three", "palette"]]  # with the footer, once
        footer = app.screen.query_one(Footer)
        assert textual_fixes.footer_keys_current(footer)
        app.screen.refresh_bindings()  # the same keys: not composed again
        await pilot.pause()
        assert len(calls) == 1
        app.two_on = False  # a key disabled: composed again, with it
        app.screen.refresh_bindings()
        await pilot.pause()
        assert calls[-1] == ["One", "Two (off)", "Three", "palette"]
        assert textual_fixes.footer_keys_current(footer)


async def test_textual_itself_composes_a_footer_empty_then_again_with_its_keys(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """What the fix saves: Textual's footer has no keys until a refresh after its screen
    published its bindings, and composes them again when they did not change."""
    changed = installed(Footer, "bindings_changed", "keys_at_once")
    born_compact = Footer.compose
    monkeypatch.setattr(Footer, "bindings_changed", changed.textual)  # type: ignore[attr-defined]
    calls = composed_keys(
        monkeypatch, born_compact.textual.textual)  # type: ignore[attr-defined]
    app = Toggling()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert calls[0] == [] and calls[-1] == ["One", "Two", "Three", "palette"]
        count = len(calls)
        app.screen.refresh_bindings()
        await pilot.pause()
        assert len(calls) > count


class FooterScreen(Screen[None]):
    BINDINGS = [("a", "one", "One"), ("b", "two", "Two"), ("c", "three", "Three")]

    def action_one(self) -> None: ...
    def action_two(self) -> None: ...
    def action_three(self) -> None: ...

    def compose(self) -> ComposeResult:
        yield Static("body")
        yield Footer()  # not compact: Textual's keys start compact


class PushesFooterScreen(App[None]):
    def on_mount(self) -> None:
        self.push_screen(FooterScreen())


async def test_a_footer_that_is_not_compact_restyles_no_key(restyled: list[Any]) -> None:
    """Each key's own compact reactive starts as the footer's: Textual's starts True, so as
    a key mounts its watcher adds -compact and the key's binding to the footer takes it off,
    restyling every key twice (a quarter of the question screen's start)."""
    textual_fixes.apply()
    app = PushesFooterScreen()
    async with app.run_test() as pilot:
        await pilot.pause()
        keys = list(app.screen.query(FooterKey))
        palette = [key for key in keys if key.has_class("-command-palette")]
        keys = [key for key in keys if key not in palette]
        assert len(keys) >= 3
        assert not any(key.has_class("-compact") or key.compact for key in keys)
        # The palette's key is not bound to the footer: compact, as Textual draws it.
        assert len(palette) == 1 and palette[0].compact and palette[0].has_class("-compact")
        assert footer_keys_restyled(restyled) == 0


class WithSelects(App[None]):
    def compose(self) -> ComposeResult:
        yield Select([("one", 1), ("two", 2)], compact=True, id="compact")
        yield Select([("one", 1), ("two", 2)], id="tall")


def overlays_restyled(restyled: list[Any]) -> int:
    return sum(isinstance(node, SelectOverlay) for nodes in restyled for node in nodes)


async def test_a_compact_selects_overlay_is_compact_from_the_start(
        restyled: list[Any]) -> None:
    textual_fixes.apply()
    app = WithSelects()
    async with app.run_test() as pilot:
        await pilot.pause()
        compact = app.query_one("#compact", Select).query_one(SelectOverlay)
        tall = app.query_one("#tall", Select).query_one(SelectOverlay)
        assert compact.compact and compact.has_class("-textual-compact")
        assert not tall.compact and not tall.has_class("-textual-compact")
        assert overlays_restyled(restyled) == 0
        app.query_one("#compact", Select).compact = False  # still bound to the select
        await pilot.pause()
        assert not compact.compact and not compact.has_class("-textual-compact")
        app.query_one("#compact", Select).focus()
        await pilot.press("enter")  # opened: its options are drawn
        await pilot.pause()
        assert app.query_one("#compact", Select).expanded
        assert "two" in "".join(line.text for line in compact.render_lines(compact.region))


async def test_textual_itself_restyles_a_compact_selects_overlay_once_mounted(
        restyled: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    fixed = installed(Select, "compose", "born_compact")
    monkeypatch.setattr(Select, "compose", fixed.textual)  # type: ignore[attr-defined]
    async with WithSelects().run_test() as pilot:
        await pilot.pause()
        assert overlays_restyled(restyled) >= 1


TEXTS = ["", "a", "word", "two words", "  padded  ", "trailing   ", "wide 漢字 cells",
         "emoji 🙂 here", "a\nb", "line\n", "\n", "tab\there", "x" * 40,
         "a long label that wraps at a narrow width, as concepts do"]


@pytest.mark.parametrize("rules", [
    {}, {"line_pad": 1}, {"text_wrap": "nowrap"}, {"text_overflow": "ellipsis"},
    {"text_wrap": "nowrap", "text_overflow": "fold"}, {"text_overflow": "clip"}])
def test_every_text_measures_as_textual_measures_it(rules: dict[str, Any]) -> None:
    textual_fixes.apply()
    textual = Content.get_height.textual  # type: ignore[attr-defined]

    def measured(measure: Any, text: str, width: int) -> object:
        try:
            return measure(Content(text), rules, width)
        except ValueError as exc:  # Textual's own, for a width the padding leaves nothing of
            return type(exc)

    for text in TEXTS:
        for width in (1, 2, 3, 5, 8, 12, 20, 39, 40, 41, 80):
            assert measured(Content.get_height, text, width) == \
                measured(textual, text, width), (text, width)


def test_a_line_that_fits_is_one_line_high_without_wrapping(
        monkeypatch: pytest.MonkeyPatch) -> None:
    fixed = installed(Content, "get_height", "one_line")
    wrapped: list[int] = []
    wrap = Content._wrap_and_format

    def spy(self: Content, width: int, *args: Any, **kwargs: Any) -> Any:
        wrapped.append(width)
        return wrap(self, width, *args, **kwargs)

    monkeypatch.setattr(Content, "_wrap_and_format", spy)
    assert Content("The Kubernetes network model").get_height({}, 40) == 1
    assert wrapped == []
    assert Content("two\nlines").get_height({}, 40) == 2  # Textual's
    assert wrapped == [40]
    monkeypatch.setattr(Content, "get_height", fixed.textual)  # type: ignore[attr-defined]
    assert Content("The Kubernetes network model").get_height({}, 40) == 1
    assert wrapped == [40, 40]  # Textual wraps it to count one line


class Base(Static):
    DEFAULT_CSS = """
    Base {
        width: 7;
        &.wide { width: 9; }
    }
    """


class Deeper(Base):
    pass


class Deepest(Deeper):
    DEFAULT_CSS = "Deepest { height: 2; }"  # a new source: the stylesheet is parsed again


class Layered(App[None]):
    """Base's rules get a lower tie-breaker when Deepest (two classes below) is mounted."""

    def compose(self) -> ComposeResult:
        yield Base("base")


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The default stylesheets parsed, by class variable, in order."""
    from textual.css import stylesheet

    calls: list[str] = []
    parse = stylesheet.parse

    def spy(scope: str, css: str, read_from: Any, **options: Any) -> Any:
        calls.append(read_from[1])
        return parse(scope, css, read_from, **options)

    monkeypatch.setattr(stylesheet, "parse", spy)
    return calls


async def layered_rules(parsed: list[str]) -> list[tuple[str, int, bool]]:
    app = Layered()
    async with app.run_test() as pilot:
        await pilot.pause()
        await app.screen.mount(deepest := Deepest("deepest", classes="wide"))
        await pilot.pause()
        assert deepest.styles.width is not None and deepest.styles.width.value == 9
        base = app.query_one(Base)
        assert base.styles.width is not None and base.styles.width.value == 7
        return [(r.selectors, r.tie_breaker, r.is_default_rules) for r in app.stylesheet.rules]


async def test_a_default_stylesheet_is_parsed_once_whatever_its_tie_breaker(
        parsed: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.css.stylesheet import Stylesheet

    fixed = installed(Stylesheet, "_parse_rules", "once")
    rules = await layered_rules(parsed)
    assert parsed.count("Base.DEFAULT_CSS") == 1
    assert parsed.count("Widget.DEFAULT_CSS") == 1
    # Tagged as Textual tags them: the rule nested in Base's twice the outer rule's number.
    assert ("Base", -2, True) in rules and ("Base.wide", -4, True) in rules

    parsed.clear()
    monkeypatch.setattr(Stylesheet, "_parse_rules", fixed.textual)  # type: ignore[attr-defined]
    assert await layered_rules(parsed) == rules  # the same rules, the same numbers


async def test_textual_itself_parses_a_default_stylesheet_again_for_each_tie_breaker(
        parsed: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """What the fix saves: Base's rules parsed again, only to carry Deepest's number."""
    textual_fixes.apply()
    from textual.css.stylesheet import Stylesheet

    textual = Stylesheet._parse_rules.textual  # type: ignore[attr-defined]
    monkeypatch.setattr(Stylesheet, "_parse_rules", textual)
    await layered_rules(parsed)
    assert parsed.count("Base.DEFAULT_CSS") == 2


def drawn(key: FooterKey, render: Any) -> list[list[tuple[str, Any]]]:
    """The cells ``render`` draws for ``key`` at its size: each line's text and rich style."""
    from textual.visual import Visual, visualize

    width, height = key.size
    strips = Visual.to_strips(key, visualize(key, render(key)), width, height, key.visual_style)
    return [[(segment.text, segment.style) for segment in strip] for strip in strips]


class FootersBoth(Toggling):
    """A compact footer over one that is not, with a key shown dimmed (disabled)."""

    two_on = False

    def compose(self) -> ComposeResult:
        yield Static("body")
        yield Footer(compact=True, id="compact")
        yield Footer(id="tall")


async def test_a_footer_key_is_drawn_as_textual_draws_it_and_measured_without_drawing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    fixed = installed(FooterKey, "render", "as_content")
    app = FootersBoth()
    async with app.run_test(size=(120, 12)) as pilot:
        await pilot.pause()
        keys = list(app.query(FooterKey))
        assert any(key.has_class("-disabled") for key in keys)
        assert any(key.compact for key in keys) and any(not key.compact for key in keys)
        textual = fixed.textual  # type: ignore[attr-defined]
        measure = FooterKey.get_content_width.textual  # type: ignore[attr-defined]
        for key in keys:
            assert isinstance(key.render(), Content)
            assert drawn(key, FooterKey.render) == drawn(key, textual)
            container, viewport = key.parent.size, app.size  # type: ignore[union-attr]
            key._content_width_cache = (None, 0)
            width = key.get_content_width(container, viewport)
            key._content_width_cache = (None, 0)
            assert width == measure(key, container, viewport) == key.size.width
        # Measured from its text and padding, not drawn for it.
        monkeypatch.setattr(FooterKey, "render", lambda self: pytest.fail("rendered"))
        key = keys[0]
        key._content_width_cache = (None, 0)
        assert key.get_content_width(key.parent.size, app.size) > 0  # type: ignore[union-attr]


async def test_textual_itself_draws_a_footer_key_from_rich_text() -> None:
    """What the fix saves: Textual's key is a rich Text, converted to Content to be drawn
    (its three rich styles each worked out over the key's ancestors), and is drawn to be
    measured too."""
    from rich.text import Text

    textual_fixes.apply()
    app = WithFooter()
    async with app.run_test() as pilot:
        await pilot.pause()
        key = app.query(FooterKey).first()
        assert isinstance(FooterKey.render.textual(key), Text)  # type: ignore[attr-defined]


def component_matches(monkeypatch: pytest.MonkeyPatch) -> list[DOMNode]:
    """The footer keys' component nodes (COMPONENT_CLASSES) the stylesheet matches rules for."""
    from textual.css.stylesheet import Stylesheet

    matched: list[DOMNode] = []
    apply = Stylesheet.apply

    def spy(self: Stylesheet, node: DOMNode, **options: Any) -> None:
        if type(node) is DOMNode and isinstance(node.parent, FooterKey):
            matched.append(node)
        apply(self, node, **options)

    monkeypatch.setattr(Stylesheet, "apply", spy)
    return matched


def component_rules(key: FooterKey) -> dict[str, Any]:
    return {name: dict(styles.base._rules) for name, styles in key._component_styles.items()}


async def test_sibling_keys_share_their_component_styles_each_on_its_own_nodes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.css.stylesheet import Stylesheet

    fixed = installed(Stylesheet, "apply", "components_shared")
    matched = component_matches(monkeypatch)
    app = FootersBoth()
    async with app.run_test(size=(120, 12)) as pilot:
        await pilot.pause()
        keys = list(app.query(FooterKey))
        # Two components a key; one match a kind of key (the class sets: plain, disabled,
        # palette) under each footer, not one a key.
        kinds = {(key.parent, key.classes) for key in keys}
        assert len(matched) == 2 * len(kinds) < 2 * len(keys)
        textual_rules: dict[FooterKey, dict[str, Any]] = {}
        for key in keys:
            for styles in key._component_styles.values():
                assert styles.node is not None and styles.node.parent is key
            textual_rules[key] = component_rules(key)
        # The same rules as Textual matches for each key alone.
        monkeypatch.setattr(Stylesheet, "apply", fixed.textual)  # type: ignore[attr-defined]
        monkeypatch.setattr(Stylesheet, "_process_component_classes",
                            Stylesheet._process_component_classes.textual)  # type: ignore[attr-defined]
        for key in keys:
            app.stylesheet.apply(key)
            assert component_rules(key) == textual_rules[key]


async def test_textual_itself_matches_each_keys_component_styles(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """What the fix saves: the rules of every key's two components matched anew."""
    textual_fixes.apply()
    from textual.css.stylesheet import Stylesheet

    monkeypatch.setattr(Stylesheet, "apply", Stylesheet.apply.textual)  # type: ignore[attr-defined]
    monkeypatch.setattr(Stylesheet, "_process_component_classes",
                        Stylesheet._process_component_classes.textual)  # type: ignore[attr-defined]
    matched = component_matches(monkeypatch)
    app = FootersBoth()
    async with app.run_test(size=(120, 12)) as pilot:
        await pilot.pause()
        assert len(matched) >= 2 * len(app.query(FooterKey))
