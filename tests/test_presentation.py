"""How values read on every page: relative times, dashes, badges."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from dashboard.fields.display import PALETTE, UNKNOWN_STYLE, enum_badge, moment, relative, text_list, yes_no
from dashboard.fields.registry import MODELS


@pytest.mark.parametrize(
    ("offset", "shown"),
    [
        (timedelta(seconds=-2), "just now"),
        (timedelta(seconds=-40), "40 s ago"),
        (timedelta(seconds=30), "in 30 s"),
        (timedelta(hours=-3, minutes=-20), "3\xa0hours ago"),
        (timedelta(days=2, hours=1), "in 2\xa0days"),
    ],
)
def test_relative_times_are_short(offset, shown):
    assert relative(timezone.now() + offset) == shown


def test_a_moment_carries_the_exact_utc_time_in_its_tooltip():
    value = timezone.now() - timedelta(days=3)

    html = moment(value)

    assert f'title="{value:%Y-%m-%d %H:%M:%S} UTC"' in html
    assert "3\xa0days ago" in html


def test_known_values_get_a_fixed_colour_and_unknown_ones_a_neutral_badge():
    def style(html: str) -> str:
        return html.split('class="badge ')[1].split('"')[0]

    assert style(enum_badge("oppie-vox-2", MODELS)) == PALETTE[MODELS.index("oppie-vox-2")]
    assert style(enum_badge("oppie-vox", MODELS)) != style(enum_badge("oppie-vox-2", MODELS))
    unknown = enum_badge("<b>oppie-vox-9</b>", MODELS)
    assert "does not know yet" in unknown and "&lt;b&gt;oppie-vox-9&lt;/b&gt;" in unknown
    assert style(unknown) == UNKNOWN_STYLE


def test_nulls_empty_lists_and_booleans_read_distinctly():
    assert "—" in text_list(None)
    assert ">none<" in text_list([])
    assert text_list(["en", "<es>"]) == "en, &lt;es&gt;"
    assert "yes" in yes_no(True) and "no" in yes_no(False) and "—" in yes_no(None)


def test_severity_colours_mark_findings_only_and_the_list_has_their_legend(signed_in, upstream):
    from dashboard.demo.fleet import demo_fleet

    upstream.set_agents(demo_fleet(60))

    html = signed_in.get("/agents/?per_page=100").content.decode()
    rows = html.split("<tbody>")[1].split("</tbody>")[0]

    badges = re.findall(r'<span class="badge ([^"]+)"', rows)
    severity_badges = [style for style in badges if "sev-" in style]
    assert severity_badges and all("finding-badge" in style for style in severity_badges)
    assert all(re.search(r"\btone-(\d|new)\b", style) for style in badges if "finding-badge" not in style)
    legend = html.split('id="finding-legend"')[1].split("</span></span>")[0]
    assert [severity for severity in ("error", "warning", "info") if f"sev-{severity}" in legend] == [
        "error",
        "warning",
        "info",
    ]
