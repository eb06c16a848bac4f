"""Render members' Markdown once, at write time, into sanitised HTML.

The sanitiser's allow-list lives here and only here (bleach is in maintenance:
one place to review). Templates output the stored HTML as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from urllib.parse import quote as url_quote

import bleach
from bleach.html5lib_shim import HTML_TAGS_BLOCK_LEVEL
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "aside", "b", "blockquote", "br", "code", "del", "div", "em", "h2",
        "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "span",
        "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "class", "rel"],
    "img": ["src", "alt", "title", "width", "height"],
    "aside": ["class", "data-post", "data-thread"],
    "div": ["class", "data-poll-name"],
    "span": ["class"],
    "code": ["class"],
    "th": ["align"],
    "td": ["align"],
    "abbr": ["title"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

MENTION_RE = re.compile(r"(?<![\w@/])@([A-Za-z0-9][A-Za-z0-9_.-]{0,149})(?<![.-])")
QUOTE_RE = re.compile(
    r"\[quote=\"?(?P<username>[^,\"\]]+)(?:,\s*post:(?P<post>\d+))?(?:,\s*(?:topic|thread):(?P<thread>\d+))?"
    r"[^\]]*\]\s*\n?(?P<body>.*?)\n?\[/quote\]",
    re.DOTALL | re.IGNORECASE,
)


@dataclass(frozen=True)
class Rendered:
    html: str
    text: str
    mentions: frozenset[str] = field(default_factory=frozenset)
    links: tuple[str, ...] = ()
    quotes: tuple[tuple[str, int | None, int | None], ...] = ()
    # What registered blocks ([poll]...[/poll]) found, by tag: {"poll": [spec, ...]}.
    blocks: dict[str, list] = field(default_factory=dict)


# Block renderers for Discourse-style BBCode blocks that other apps add (polls register
# "poll"): render(attributes, body, inline) -> (html, data). Their HTML goes through the same
# sanitiser as everything else, so a block cannot add what the allow-list does not allow.
BlockRenderer = Callable[[dict[str, str], str, Callable[[str], str]], tuple[str, object]]
_blocks: dict[str, BlockRenderer] = {}
ATTRIBUTE_RE = re.compile(r'([A-Za-z_][\w-]*)=(?:"([^"]*)"|(\S+))')


def register_block(tag: str, renderer: BlockRenderer) -> None:
    _blocks[tag.lower()] = renderer


def _block_re() -> re.Pattern | None:
    if not _blocks:
        return None
    tags = "|".join(re.escape(t) for t in sorted(_blocks))
    return re.compile(
        rf"\[(?P<tag>{tags})(?P<attrs>(?:\s[^\]]*)?)\]\s*\n?(?P<body>.*?)\[/(?P=tag)\]",
        re.DOTALL | re.IGNORECASE,
    )


def block_attributes(text: str) -> dict[str, str]:
    return {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
            for m in ATTRIBUTE_RE.finditer(text or "")}  # fmt: skip


def render_inline(source: str) -> str:
    """One line of Markdown as inline HTML (a poll option), not yet sanitised."""
    return _MD.renderInline(source)


def _mention_rule(state) -> None:
    """Turn @username in text (not in code or links) into a mention link."""
    known: Callable[[Iterable[str]], set[str]] = state.env.get("known_usernames")
    found: set[str] = state.env.setdefault("mentions", set())
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        in_link = 0
        for tok in block.children:
            if tok.type == "link_open":
                in_link += 1
            elif tok.type == "link_close":
                in_link -= 1
            if tok.type != "text" or in_link or "@" not in tok.content:
                children.append(tok)
                continue
            pos = 0
            for match in MENTION_RE.finditer(tok.content):
                name = match.group(1)
                if known is not None and name.lower() not in known:
                    continue
                found.add(name.lower())
                if match.start() > pos:
                    children.append(_text(tok.content[pos : match.start()]))
                link = Token("link_open", "a", 1)
                link.attrs = {"href": f"/u/{url_quote(name)}/", "class": "mention"}
                children.extend([link, _text(match.group(0)), Token("link_close", "a", -1)])
                pos = match.end()
            if pos < len(tok.content):
                children.append(_text(tok.content[pos:]))
        block.children = children


def _text(content: str) -> Token:
    tok = Token("text", "", 0)
    tok.content = content
    return tok


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.core.ruler.push("mentions", _mention_rule)
    return md


_MD = _markdown()


def _set_rel(attrs, new=False):
    href_key = (None, "href")
    if href_key in attrs:
        attrs[(None, "rel")] = LINK_REL
    return attrs


_CLEANER = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    filters=[lambda source: LinkifyFilter(source, callbacks=[_set_rel], skip_tags={"pre", "code"})],
)


def sanitise(html: str) -> str:
    return _CLEANER.clean(html)


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.seen_tag = False

    def handle_starttag(self, tag: str, attrs) -> None:
        # As bleach's strip does: a block's start tag becomes a line break, unless it comes first.
        if self.seen_tag and tag in HTML_TAGS_BLOCK_LEVEL:
            self.parts.append("\n")
        self.seen_tag = True

    def handle_endtag(self, tag: str) -> None:
        self.seen_tag = True

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(html: str) -> str:
    """The text of sanitised HTML, tags dropped and entities decoded.

    The standard library's tokenizer, not a second pass through bleach's html5lib: the HTML
    is already sanitised, and this is about a tenth of the cost (it runs for every post).
    """
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts).strip()


def _render_markdown(source: str, env: dict) -> str:
    return _MD.render(source, env)


def render(
    source: str, *, known_usernames: Callable[[Iterable[str]], set[str]] | None = None
) -> Rendered:
    """Render Markdown (with Discourse-style [quote] blocks and @mentions) to safe HTML.

    `known_usernames` takes candidate names and returns the lower-cased ones that exist,
    so only real members become links.
    """
    env: dict = {}
    if known_usernames is not None:
        candidates = {m.group(1).lower() for m in MENTION_RE.finditer(source)}
        env["known_usernames"] = known_usernames(candidates) if candidates else set()
    parts: list[str] = []
    quotes: list[tuple[str, int | None, int | None]] = []
    blocks: dict[str, list] = {}
    block_re = _block_re()
    pos = 0
    if block_re is not None:
        for match in block_re.finditer(source):
            _render_with_quotes(source[pos : match.start()], env, parts, quotes)
            tag = match.group("tag").lower()
            html, data = _blocks[tag](
                block_attributes(match.group("attrs")), match.group("body"), render_inline
            )
            parts.append(html)
            blocks.setdefault(tag, []).append(data)
            pos = match.end()
    _render_with_quotes(source[pos:], env, parts, quotes)
    html = sanitise("".join(parts))
    text = plain_text(html)
    links = tuple(re.findall(r'href="([^"]+)"', html))
    return Rendered(
        html=html,
        text=text,
        mentions=frozenset(env.get("mentions", set())),
        links=links,
        quotes=tuple(quotes),
        blocks=blocks,
    )


def _render_with_quotes(source: str, env: dict, parts: list[str], quotes: list) -> None:
    """Markdown with Discourse-style [quote] blocks, appended to `parts`."""
    pos = 0
    for match in QUOTE_RE.finditer(source):
        parts.append(_render_markdown(source[pos : match.start()], env))
        username = match.group("username").strip()
        post = int(match.group("post")) if match.group("post") else None
        thread = int(match.group("thread")) if match.group("thread") else None
        quotes.append((username, post, thread))
        # Names in a quote are linked but not collected: quoting does not mention anyone again.
        inner = _MD.render(match.group("body"), {"known_usernames": env.get("known_usernames")})
        parts.append(
            f"{_quote_open(username, post, thread)}<blockquote>{inner}</blockquote></aside>\n"
        )
        pos = match.end()
    parts.append(_render_markdown(source[pos:], env))


# A quote of a post is stored naming the post, never its author. Who wrote it depends on who
# reads: a reader who may not see the quoted post (a private region, a held or hidden post)
# must not learn who wrote it, and a renamed or erased member shows as the site shows them
# now. So the stored HTML says only "a quoted post" (what every surface that shows stored HTML
# as it is shows: the moderation queue, the API's cooked, e-mails, search text), and the
# thread page writes each quote's title for its reader when it reads the page
# (`attribute_quotes`, from forum.selectors). A quote naming no post keeps the name the writer
# typed: that is their own text, not a claim the site makes.
QUOTED_POST_PATH = "/t/quoted/{thread}/{post}"  # the post view redirects readers to the slug


def _quote_open(username: str, post: int | None, thread: int | None) -> str:
    if post is None:
        return f'<aside class="quote"><div class="quote-title">{escape(username)} said:</div>'
    data = f' data-post="{post}"' + (f' data-thread="{thread}"' if thread else "")
    return f'<aside class="quote"{data}><div class="quote-title">{quote_title(None, post, thread)}</div>'


def quote_title(name: str | None, post: int, thread: int | None, href: str | None = None) -> str:
    """A quote's title: who said it (when the reader may know) and a link to the quoted post."""
    if href is None and thread is not None:
        href = QUOTED_POST_PATH.format(thread=thread, post=post)
    where = f'<a href="{escape(href)}#post-{post}">post {post}</a>' if href else f"post {post}"
    if name is None:
        return f"Quoted from {where}:"
    return f'<span class="quote-author">{escape(name)}</span> said in {where}:'


QUOTE_TITLE_RE = re.compile(
    r'<aside class="quote"(?P<attrs>[^>]*)><div class="quote-title">(?P<title>.*?)</div>', re.DOTALL
)
_USERNAME_ATTR_RE = re.compile(r'\s*data-username="[^"]*"')
_DATA_RE = re.compile(r'\bdata-(post|thread)="(\d{1,10})"')


def quote_refs(html: str) -> list[tuple[int | None, int]]:
    """The (thread id or None, post number) of each quote of a post in rendered HTML."""
    refs = []
    for match in QUOTE_TITLE_RE.finditer(html or ""):
        data = dict(_DATA_RE.findall(match.group("attrs")))
        if "post" in data:
            refs.append((int(data["thread"]) if "thread" in data else None, int(data["post"])))
    return refs


def attribute_quotes(html: str, title: Callable[[int | None, int], str]) -> str:
    """The rendered HTML with each quote's title replaced by `title(thread, post)` (safe HTML).

    The HTML is the sanitiser's own output, in which only this module writes <aside> (members'
    HTML is escaped), so the pattern cannot be matched by what a member typed.
    """
    if 'class="quote"' not in (html or ""):
        return html

    def replace(match: re.Match) -> str:
        data = dict(_DATA_RE.findall(match.group("attrs")))
        if "post" not in data:
            return match.group(0)
        thread = int(data["thread"]) if "thread" in data else None
        new = title(thread, int(data["post"]))
        # Posts written before quotes stopped naming anyone carry the typed username too.
        attrs = _USERNAME_ATTR_RE.sub("", match.group("attrs"))
        return f'<aside class="quote"{attrs}><div class="quote-title">{new}</div>'

    return QUOTE_TITLE_RE.sub(replace, html)


def quote_source(*, username: str, post_number: int, thread_id: int, source: str) -> str:
    """The Markdown a reply starts with when it quotes a post."""
    body = QUOTE_RE.sub("", source)
    block_re = _block_re()
    if block_re is not None:
        body = block_re.sub("", body)  # a quote does not copy a poll
    body = body.strip()
    # The name is only the writer's label (the page shows who wrote the post as it may):
    # characters that would end the quote's attribute are left out.
    username = re.sub(r'[,"\[\]\n]', "", username).strip() or "member"
    return f'[quote="{username}, post:{post_number}, topic:{thread_id}"]\n{body}\n[/quote]\n\n'
