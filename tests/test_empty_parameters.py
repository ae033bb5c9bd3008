"""No empty parameters in URLs: a form's unfilled fields never reach a bookmark or a shared link.
The pages still accept them (a hand-typed or old URL), redirecting to the same view without them."""

import re

import pytest

from tests.conftest import agent_record


@pytest.fixture
def fleet(upstream):
    upstream.set_agents(
        [
            agent_record(id="a1", name="Billing EN", model="oppie-vox-2", type="inbound"),
            agent_record(id="a2", name="Billing ES", model="oppie-vox", type="inbound", recording_enabled=False),
            agent_record(id="a3", name="Collections", model="oppie-vox-2", type="outbound", speed=1.4),
        ]
    )


@pytest.mark.parametrize(
    ("asked", "clean"),
    [
        ("/agents/?q=&model=oppie-vox-2&speed_min=&per_page=", "/agents/?model=oppie-vox-2"),
        ("/agents/?q=&speed_min=", "/agents/"),
        ("/changes/?period=7d&since=&until=&field=&agent=&kind=", "/changes/?period=7d"),
    ],
)
def test_a_url_with_empty_parameters_redirects_to_the_same_view_without_them(signed_in, fleet, asked, clean):
    response = signed_in.get(asked)

    assert response.status_code == 302
    assert response["Location"] == clean


def test_the_list_makes_no_link_with_an_empty_parameter(signed_in, fleet):
    html = signed_in.get("/agents/?model=oppie-vox-2&type=inbound&sort=name").content.decode()

    links = re.findall(r'href="(\?[^"]*)"', html)
    assert links and not [link for link in links if re.search(r"=(&|$)", link.replace("&amp;", "&"))]
    assert 'name="per_page"' not in html  # the default page size is not carried either


def test_more_filters_count_only_the_filters_that_are_set(signed_in, fleet):
    plain = signed_in.get("/agents/?model=oppie-vox-2").content.decode()
    set_two = signed_in.get("/agents/?recording=yes&speed_min=1").content.decode()

    assert 'class="collapse" id="more-filters"' in plain
    assert "More filters<" in plain.replace("</button>", "<")
    assert 'class="collapse show" id="more-filters"' in set_two
    assert "(2 set)" in set_two


def test_a_filter_menu_with_ticked_values_says_how_many(signed_in, fleet):
    html = signed_in.get("/agents/?model=oppie-vox-2&model=oppie-vox").content.decode()

    button = re.search(r'<button class="([^"]*)"[^>]*id="filter-model"[^>]*>(.*?)</button>', html)
    assert "filter-on" in button.group(1)
    assert "(2 ticked)" in button.group(2)
    assert "filter-on" not in re.search(r'<button class="([^"]*)"[^>]*id="filter-type"', html).group(1)
