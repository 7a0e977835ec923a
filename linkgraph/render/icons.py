"""i2-style entity glyphs as small inline SVG, and the colours charts use.

Each icon is a coloured disc with a white pictogram; the disc's colour says the type, community or country and
the pictogram always says the entity type. `icon_uri` returns a `data:` URI usable as an <img> src or as a
vis-network `image`: nothing is ever loaded from elsewhere.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

# White pictograms on a 64x64 canvas. `{bg}` is the disc colour, for cut-outs.
GLYPHS: dict[str, str] = {
    "person": '<circle cx="32" cy="22" r="10" fill="#fff"/>'
    '<path d="M13 51c0-11 8.5-18 19-18s19 7 19 18z" fill="#fff"/>',
    "organization": '<path d="M16 51V14h22v37zM38 51V26h11v25z" fill="#fff"/>'
    '<path d="M21 19h4v4h-4zM29 19h4v4h-4zM21 27h4v4h-4zM29 27h4v4h-4zM21 35h4v4h-4zM29 35h4v4h-4z'
    'M42 31h3v3h-3zM42 38h3v3h-3zM25 44h5v7h-5z" fill="{bg}"/>',
    "phone": '<rect x="21" y="10" width="22" height="44" rx="4" fill="#fff"/>'
    '<rect x="24.5" y="16" width="15" height="26" fill="{bg}"/>'
    '<circle cx="32" cy="48" r="2.6" fill="{bg}"/>',
    "email": '<rect x="11" y="18" width="42" height="28" rx="2" fill="#fff"/>'
    '<path d="M12 20l20 15 20-15" fill="none" stroke="{bg}" stroke-width="3" stroke-linejoin="round"/>',
    "address": '<path d="M32 11L9 31h6v20h34V31h6z" fill="#fff"/>'
    '<path d="M28 51V39h8v12z" fill="{bg}"/><path d="M20 34h6v6h-6zM38 34h6v6h-6z" fill="{bg}"/>',
    "location": '<path d="M32 54S15 36 15 25a17 17 0 0 1 34 0c0 11-17 29-17 29z" fill="#fff"/>'
    '<circle cx="32" cy="25" r="6.5" fill="{bg}"/>',
    "species": '<ellipse cx="32" cy="41" rx="11" ry="9" fill="#fff"/>'
    '<ellipse cx="17" cy="29" rx="4.5" ry="6" fill="#fff" transform="rotate(-20 17 29)"/>'
    '<ellipse cx="26" cy="20" rx="4.5" ry="6.5" fill="#fff"/>'
    '<ellipse cx="38" cy="20" rx="4.5" ry="6.5" fill="#fff"/>'
    '<ellipse cx="47" cy="29" rx="4.5" ry="6" fill="#fff" transform="rotate(20 47 29)"/>',
    "shipment": '<path d="M32 10l20 10v24L32 54 12 44V20z" fill="#fff"/>'
    '<path d="M12 20l20 10 20-10M32 30v24" fill="none" stroke="{bg}" stroke-width="2.5"/>'
    '<path d="M21 15l20 10v7" fill="none" stroke="{bg}" stroke-width="2.5"/>',
    "seizure": '<circle cx="21" cy="38" r="10" fill="none" stroke="#fff" stroke-width="5"/>'
    '<circle cx="43" cy="38" r="10" fill="none" stroke="#fff" stroke-width="5"/>'
    '<path d="M21 26v-6h22v6" fill="none" stroke="#fff" stroke-width="4"/>'
    '<rect x="27" y="15" width="10" height="7" rx="2" fill="#fff"/>',
    "vehicle": '<path d="M9 41v-8l6-2 6-9h20l8 9 6 2v8z" fill="#fff"/>'
    '<path d="M24 25h7v6H19zM34 25h6l5 6H34z" fill="{bg}"/>'
    '<circle cx="20" cy="42" r="6" fill="#fff" stroke="{bg}" stroke-width="3"/>'
    '<circle cx="44" cy="42" r="6" fill="#fff" stroke="{bg}" stroke-width="3"/>',
    "permit": '<path d="M16 9h24l9 9v37H16z" fill="#fff"/>'
    '<path d="M21 19h14M21 25h22M21 31h22" stroke="{bg}" stroke-width="2.5"/>'
    '<circle cx="38" cy="43" r="6.5" fill="{bg}"/>'
    '<path d="M34 48l-2 7 4-2 2 3 1-6M42 48l2 7-4-2" fill="{bg}"/>',
    "account": '<rect x="9" y="18" width="46" height="30" rx="4" fill="#fff"/>'
    '<rect x="9" y="23" width="46" height="6" fill="{bg}"/>'
    '<path d="M15 39h14M15 43h8" stroke="{bg}" stroke-width="2.5"/>',
    "identification": '<rect x="8" y="16" width="48" height="32" rx="4" fill="#fff"/>'
    '<circle cx="22" cy="28" r="5" fill="{bg}"/>'
    '<path d="M14 42c0-5 3.5-8 8-8s8 3 8 8z" fill="{bg}"/>'
    '<path d="M35 26h15M35 32h15M35 38h10" stroke="{bg}" stroke-width="2.5"/>',
    # a sample tube
    "sample": '<path d="M25 10h14v4h-2v30a5 5 0 0 1-10 0V14h-2z" fill="#fff"/>'
    '<path d="M29.5 30h5v14a2.5 2.5 0 0 1-5 0z" fill="{bg}"/>',
    "document": '<path d="M16 9h22l10 10v36H16z" fill="#fff"/><path d="M38 9v10h10" fill="{bg}" opacity=".35"/>'
    '<path d="M21 26h22M21 32h22M21 38h22M21 44h14" stroke="{bg}" stroke-width="2.5"/>',
    "entity": '<circle cx="32" cy="32" r="13" fill="none" stroke="#fff" stroke-width="5"/>'
    '<circle cx="32" cy="32" r="4" fill="#fff"/>',
}

# One colour per entity type icon (Okabe-Ito and Tableau hues, dark enough for a white glyph).
TYPE_COLOURS: dict[str, str] = {
    "person": "#1f6fb4",
    "organization": "#6a3d9a",
    "phone": "#238b45",
    "email": "#0f8b8d",
    "address": "#8c564b",
    "location": "#c0392b",
    "species": "#7a8b12",
    "shipment": "#d35400",
    "seizure": "#a50f15",
    "vehicle": "#2c3e50",
    "permit": "#b8860b",
    "account": "#2f6f4f",
    "identification": "#3949ab",
    "sample": "#008080",
    "document": "#5d6d7e",
    "entity": "#7f8c8d",
}

# Categorical palette for communities and countries (Tableau 20, darker shades first); grey for "none".
PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
    "#3182bd",
    "#e6550d",
    "#31a354",
    "#756bb1",
    "#636363",
    "#c49c94",
]
NONE_COLOUR = "#9e9e9e"
LINK_PALETTE = [
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#79706e",
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#666666",
    "#1f78b4",
    "#33a02c",
    "#fb9a99",
    "#cab2d6",
]

# Link types drawn in a fixed colour whatever else is on the chart: a laboratory's DNA match is evidence of a
# different order from a shared phone and must stand out (magenta is not in LINK_PALETTE).
LINK_COLOURS: dict[str, str] = {"FORENSIC_MATCH": "#c2185b"}


def link_colour(link_type: str, i: int) -> str:
    """The colour of the i-th link type on a chart: its fixed colour, else the palette's i-th."""
    return LINK_COLOURS.get(link_type) or LINK_PALETTE[i % len(LINK_PALETTE)]


def glyph_name(icon: str | None) -> str:
    name = (icon or "entity").lower()
    return name if name in GLYPHS else "entity"


def icon_svg(icon: str | None, colour: str | None = None) -> str:
    """The SVG document of an icon on a disc of `colour` (default: the icon's type colour)."""
    name = glyph_name(icon)
    bg = colour or TYPE_COLOURS[name]
    body = GLYPHS[name].replace("{bg}", bg)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">'
        f'<circle cx="32" cy="32" r="30" fill="{bg}" stroke="#ffffff" stroke-width="2"/>{body}</svg>'
    )


@lru_cache(maxsize=1024)
def icon_uri(icon: str | None, colour: str | None = None) -> str:
    """A `data:image/svg+xml` URI of the icon."""
    return "data:image/svg+xml;charset=utf-8," + quote(icon_svg(icon, colour), safe=" =:/'\",.-")


def palette(i: int) -> str:
    return PALETTE[i % len(PALETTE)]
