"""Work-arounds for Textual bugs that the app runs into; each says when it can go.

``StylesCache.get_inner_outer`` is an instance method under ``functools.lru_cache(1024)``, so
the cache keeps the last 1,024 ``StylesCache`` objects alive, each with its rendered strips
(https://github.com/Textualize/textual/issues/6665, open as of Textual 8.2.8). A study session
builds a new question and feedback screen per answer (~35 widgets each): within a dozen
answers the app held ~100,000 dead objects, and the garbage collector's full passes over them
(up to 90 ms) landed between Enter and the feedback. The result depends only on the two
colours, so the fix caches Textual's own function on them alone. Remove it when Textual fixes
the issue (``apply`` then finds nothing to replace).

``DOMNode.update_node_styles`` restyles a node (and its children) whenever one of its classes
changes, also before the node is mounted: a widget built with ``compact=True`` (or any reactive
with ``toggle_class``) is styled in its constructor, against a DOM it is not in yet, and styled
again when it is mounted (``App._register`` applies the stylesheet to every new widget). The
add/edit form builds ~40 such widgets before its first frame (~10-20 ms of styles nobody sees,
measured on a 2-core machine; ~5x that under a profiler).
The fix skips nodes with no parent (the app itself excepted). Remove it when Textual stops
styling detached nodes (``apply`` replaces it regardless; the test shows whether it still
saves anything).

``Screen._on_screen_resume`` restyles the whole screen on every push and switch. A screen shown
for the first time was styled moments before, widget by widget as it mounted (``_register``),
so that pass does the same work again: on the first screen of a start (home's ~40 widgets) it
is ~8 ms before the first frame, and it repeats for every question and feedback screen. The fix
skips it on a screen's first resume only; later resumes restyle as Textual does (a theme changed
while a screen waited in the stack is applied by ``App.refresh_css`` to every screen anyway).
Remove it when Textual stops restyling freshly mounted screens.

``FooterKey.compact`` is a reactive that defaults to True and is watched on mount, and its
watcher adds the class ``-compact``: every key of a footer is restyled once it is mounted (a
compact footer's ten keys, on every screen and every time the footer recomposes), and a key of
a footer that is not compact twice (the watcher adds the class, then the key's binding to the
footer's ``compact`` takes it off: a quarter of a question screen's work before its first
frame). The fix gives each key the footer's class and value before it is mounted, so the
watcher and the binding find nothing to change; the command palette's key, which Textual does
not bind to the footer, gets its own value's class (compact, as Textual draws it).
Remove it when Textual builds the keys with their class.

``Footer`` composes no keys until its screen first publishes its bindings, then recomposes
after the next refresh: the first frame of every screen has an empty footer, and the keys
come in a second layout and frame (~10 widgets mounted and laid out again). The fix composes
the keys with the footer, from the screen's bindings as they are then, and skips a recompose
when the keys shown would be the same ones (``footer_keys_current`` tells whether they are).
Remove it when Textual's footer shows its keys from its first frame.

``Select`` composes its overlay (the hidden ``OptionList`` of its options) bound to its own
``compact`` with ``data_bind``, which sets the overlay's value once it is mounted: a compact
select's overlay gets the class ``-textual-compact`` then and is restyled with its component
classes, after ``App._register`` styled it moments before (the add form's two selects: ~11M
instructions before its first frame, of ~1,600M). The fix builds the overlay with the
select's class and value, so the binding finds nothing to change. Remove it when Textual
builds the overlay compact.

``Content.get_height`` wraps the whole text to count its lines, even a single line that fits
the width, for every label laid out with an automatic height and every option of an option
list (an option list measures them all, twice: for its height and for its lines): the add
form's 82 concepts and its labels, ~5M instructions before its first frame. The fix answers 1
for a non-empty text with no line break or tab whose cells fit the width, the one case where
wrapping cannot make more lines; anything else is Textual's. Remove it when Textual measures
such a line without wrapping it.

``FooterKey.render`` builds a rich ``Text`` from three rich styles, each worked out over the
key's ancestors, which Textual then converts to ``Content`` to draw; and a key, being as wide
as its text, is rendered once more to be measured (the render is dropped when its size is set):
~0.5 ms a key on a 2-core machine, a footer's six keys between an answer's Enter and its
feedback (~3 ms of ~32). The fix renders the same cells in the same colours as ``Content``
(the key's two parts in their component styles, as ``get_visual_style`` works them out) and
measures a key from its padded text without rendering it. Remove it when Textual's key renders
``Content`` and is measured without being drawn.

``Stylesheet._process_component_classes`` matches the rules of a widget's component classes
(a footer key's "footer-key--key" and "footer-key--description") on new nodes under it, without
the cache ``App._register`` shares among the widgets of one mount: every key of a footer has its
two matched anew, though siblings with the same classes get the same rules (Textual's cache
gives the keys themselves one match for that reason); 10 of a feedback screen's ~30 matches
between Enter and its first frame. The fix keeps, in that cache, each kind of widget's
component rules (the key Textual uses for the widget itself), and gives each widget its own
component nodes with those rules; not when a rule that may match them depends on a node's
place among its siblings (Textual does not cache those either). Remove it when Textual caches
component styles.

``Stylesheet`` keeps a widget class's ``DEFAULT_CSS`` with the lowest tie-breaker any widget
has given it (minus the class's place in that widget's bases), and caches parses by CSS *and*
tie-breaker: each time a deeper widget lowers it, ``Widget``'s and ``Screen``'s rules (and any
shared base's) are parsed again, only to be tagged with the new number. Home's first frame
parsed ``Screen.DEFAULT_CSS`` twice and ``Widget.DEFAULT_CSS`` three times (~9M instructions,
1% of the bare app). The tie-breaker only tags each rule, as its own multiple of it (a rule
nested ``n`` deep is tagged ``n + 1`` times it), so the fix parses default CSS once, tagged
with 1, and hands each tie-breaker copies of those rules tagged with that multiple. Remove it
when Textual parses a default stylesheet once whatever its tie-breaker.

"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from textual import events
from textual._styles_cache import StylesCache
from textual.app import App
from textual.content import Content
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Select
from textual.widgets._footer import FooterKey
from textual.widgets._select import SelectOverlay

if TYPE_CHECKING:
    from collections.abc import Hashable


def apply() -> None:
    """Install the fixes (idempotent); tests check each still matters and still works."""
    _style_attached_nodes_only()
    _first_resume_keeps_styles()
    _footer_keys_from_the_start()
    _footer_keys_born_compact()  # around the above: Footer.compose.textual is the above's
    _select_overlay_born_compact()
    _one_line_measured_at_once()
    _default_css_parsed_once()
    _footer_key_as_content()
    _component_styles_shared()
    leaking = StylesCache.get_inner_outer
    if not hasattr(leaking, "cache_clear"):  # fixed upstream, or already replaced
        return
    compute = leaking.__wrapped__  # Textual's body; it does not use its first argument

    @lru_cache(1024)
    def inner_outer(base_background: Any, background: Any) -> Any:
        return compute(None, base_background, background)

    def get_inner_outer(_self: object, base_background: Any, background: Any) -> Any:
        return inner_outer(base_background, background)

    StylesCache.get_inner_outer = get_inner_outer  # type: ignore[method-assign]


def _install(owner: Any, name: str, fix: Any, marker: str | None = None) -> None:
    """Put ``fix`` in place of Textual's ``owner.<name>``, which it keeps as ``fix.textual``
    (for the tests); ``marker``, set on ``fix``, tells a second ``apply`` the fix is in."""
    fix.textual = getattr(owner, name)
    if marker is not None:
        setattr(fix, marker, True)
    setattr(owner, name, fix)


def _footer_key_as_content() -> None:
    render = FooterKey.render
    if getattr(render, "as_content", False):
        return

    def parts(self: FooterKey) -> tuple[str, str]:
        """The key's cells and the description's, padded as the component rules say."""
        if not self.description:
            return self.key_display, ""
        styles = self._component_styles  # what get_component_styles copies, for one name
        key_pad = styles["footer-key--key"].padding
        pad = styles["footer-key--description"].padding
        return (" " * key_pad.left + self.key_display + " " * key_pad.right,
                " " * pad.left + self.description + " " * pad.right)

    def render_content(self: FooterKey) -> Content:
        key, description = parts(self)
        key_style = self.get_visual_style("footer-key--key")
        if not description:
            return Content.styled(key, key_style)
        return Content.assemble((key, key_style),
                                (description, self.get_visual_style("footer-key--description")))

    def get_content_width(self: FooterKey, container: Any, viewport: Any) -> int:
        return cell_len("".join(parts(self)))

    _install(FooterKey, "render", render_content, "as_content")
    _install(FooterKey, "get_content_width", get_content_width)


def _component_styles_shared() -> None:
    apply_rules = Stylesheet.apply
    if getattr(apply_rules, "components_shared", False):
        return
    process = Stylesheet._process_component_classes
    batch: list[dict[tuple[Any, ...], Any] | None] = [None]  # the cache of the apply running

    def apply(self: Stylesheet, node: DOMNode, *, animate: bool = False,
              cache: dict[tuple[Any, ...], Any] | None = None) -> None:
        outer, batch[0] = batch[0], cache
        try:
            apply_rules(self, node, animate=animate, cache=cache)
        finally:
            batch[0] = outer

    def _process_component_classes(self: Stylesheet, node: DOMNode) -> None:
        cache = batch[0]
        names = node._get_component_classes()
        if cache is None or not names:
            process(self, node)
            return
        key = ("quiz.components", node._parent, node._id, node.classes,
               node._pseudo_classes_cache_key, node._css_type_name)
        found = cache.get(key)
        if found is None:
            process(self, node)
            if _order_free(self, node._component_styles.values()):
                cache[key] = {name: dict(styles.base._rules)
                              for name, styles in node._component_styles.items()}
            return
        old = node._component_styles.copy()
        node._component_styles.clear()
        changed = False
        for name in sorted(names):
            virtual = DOMNode(classes=name)
            virtual._attach(node)
            self.replace_rules(virtual, dict(found[name]))
            changed = changed or old.get(name) != virtual.styles
            node._component_styles[name] = virtual.styles
        if changed:
            node.refresh()

    _install(Stylesheet, "apply", apply, "components_shared")
    _install(Stylesheet, "_process_component_classes", _process_component_classes)


def _order_free(stylesheet: Stylesheet, styles: Any) -> bool:
    """Whether no rule that may match these component nodes depends on a node's place among
    its siblings (Textual leaves such nodes out of its cache too)."""
    rules_map = stylesheet.rules_map
    for each in styles:
        virtual = each.node
        for name in rules_map.keys() & virtual._selector_names:
            for rule in rules_map[name]:
                if not rule.pseudo_classes.isdisjoint(
                        Stylesheet._EXCLUDE_PSEUDO_CLASSES_FROM_CACHE):
                    return False
    return True


def _default_css_parsed_once() -> None:
    parse_rules = Stylesheet._parse_rules
    if getattr(parse_rules, "once", False):
        return

    def _parse_rules(self: Stylesheet, css: str, read_from: Any,
                     is_default_rules: bool = False, tie_breaker: int = 0,
                     scope: str = "") -> list[Any]:
        if not is_default_rules or tie_breaker == 1:
            return parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)
        key = (css, read_from, is_default_rules, tie_breaker, scope)
        found: list[Any] | None = self._parse_cache.get(key)
        if found is None:
            once = parse_rules(self, css, read_from, is_default_rules, 1, scope)
            found = [replace(rule, tie_breaker=rule.tie_breaker * tie_breaker) for rule in once]
            self._parse_cache[key] = found
        return found

    _install(Stylesheet, "_parse_rules", _parse_rules, "once")


def _style_attached_nodes_only() -> None:
    restyle = DOMNode.update_node_styles
    if getattr(restyle, "attached_only", False):
        return

    def update_node_styles(self: DOMNode, animate: bool = True) -> None:
        if self._parent is None and not isinstance(self, App):
            return  # not in the DOM: App._register styles it when it is mounted
        restyle(self, animate)

    _install(DOMNode, "update_node_styles", update_node_styles, "attached_only")


def _first_resume_keeps_styles() -> None:
    resume = Screen._on_screen_resume
    if getattr(resume, "first_kept", False):
        return

    def _on_screen_resume(self: Screen, event: events.ScreenResume) -> None:
        if not getattr(self, "_quiz_resumed", False):
            self._quiz_resumed = True  # type: ignore[attr-defined]
            event.refresh_styles = False  # styled as it mounted, just now
        resume(self, event)

    _install(Screen, "_on_screen_resume", _on_screen_resume, "first_kept")


def _footer_keys_born_compact() -> None:
    # The palette's key is not bound to the footer: it keeps its own value (compact, as
    # Textual draws it).
    _born_compact(Footer, FooterKey, "-compact")


def _select_overlay_born_compact() -> None:
    _born_compact(Select, SelectOverlay, "-textual-compact")


def _born_compact(owner: type[Widget], child: type[Widget], css_class: str) -> None:
    """``owner`` composes its ``child`` widgets with the ``compact`` value (and ``css_class``)
    their binding to the owner's would give them once mounted, so it changes nothing then."""
    compose = owner.compose
    if getattr(compose, "born_compact", False):
        return

    def compose_compact(self: Any) -> Iterator[Any]:
        for widget in compose(self):
            if isinstance(widget, child):
                bound = "compact" in (widget._reactive_connect or {})
                compact = self.compact if bound else widget.compact  # type: ignore[attr-defined]
                widget.set_class(compact, css_class, update=False)  # not mounted yet
                widget.set_reactive(child.compact, compact)  # type: ignore[attr-defined]
            yield widget

    _install(owner, "compose", compose_compact, "born_compact")


def _one_line_measured_at_once() -> None:
    measure = Content.get_height
    if getattr(measure, "one_line", False):
        return

    def get_height(self: Content, rules: Any, width: int) -> int:
        text = self.plain
        if text and "\n" not in text and "\t" not in text \
                and self.cell_length <= width - rules.get("line_pad", 0) * 2:
            return 1  # fits: no wrapping, folding or cropping makes it more than one line
        return measure(self, rules, width)

    _install(Content, "get_height", get_height, "one_line")


def _shown_keys(screen: Screen) -> Hashable:
    """What a footer on ``screen`` shows: its bindings shown, enabled or not, with tooltips."""
    return tuple((binding, enabled, tooltip)
                 for _, binding, enabled, tooltip in screen.active_bindings.values()
                 if binding.show)


def footer_keys_current(footer: Footer) -> bool:
    """Whether ``footer`` shows the keys its screen has now (composed with them)."""
    return getattr(footer, "_quiz_keys", None) == _shown_keys(footer.screen)


def _footer_keys_from_the_start() -> None:
    if getattr(Footer.bindings_changed, "keys_at_once", False):
        return
    compose = Footer.compose
    changed = Footer.bindings_changed

    def compose_now(self: Footer) -> Iterator[Any]:
        self.set_reactive(Footer._bindings_ready, True)
        self._quiz_keys = _shown_keys(self.screen)  # type: ignore[attr-defined]
        yield from compose(self)

    def bindings_changed(self: Footer, screen: Screen) -> None:
        if self.is_attached and screen is self.screen and footer_keys_current(self):
            return  # the same keys: nothing to compose again
        changed(self, screen)

    _install(Footer, "compose", compose_now)
    _install(Footer, "bindings_changed", bindings_changed, "keys_at_once")
