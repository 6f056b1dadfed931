"""The loss curve, drawn on the server as SVG from a training's progress."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from litestar import Litestar

from synthgen_service.dashboard.charts import PLOT_WIDTH, loss_curve
from synthgen_service.store.status import ModelStatus
from synthgen_service.store.tables import Model
from tests.service.conftest import new_key
from tests.service.dashboard.test_pages import sign_in
from tests.service.dashboard.test_training import project_with_data, submit_train

HISTORY = {
    "epochs": [1, 2, 3],
    "series": {"generator": [2.0, 1.0, 0.0], "discriminator": [-1.0, None, -0.5]},
}


def points(line: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in (pair.split(",") for pair in line.split())]


def test_no_epochs_draw_nothing() -> None:
    assert loss_curve(None) is None  # a Gaussian copula trains no epochs
    assert loss_curve({"epochs": [], "series": {}}) is None
    assert loss_curve({"epochs": [1], "series": {"loss": [None]}}) is None


def test_each_series_is_a_line_from_the_first_to_the_newest_epoch() -> None:
    chart = loss_curve(HISTORY)
    assert chart is not None
    generator, discriminator = chart.series
    (line,) = generator.lines
    drawn = points(line)
    assert [x for x, _ in drawn] == [
        chart.left,
        chart.left + PLOT_WIDTH / 2,
        chart.left + PLOT_WIDTH,
    ]
    ys = [y for _, y in drawn]
    assert ys == sorted(ys)  # falling loss: the line goes down the page (y grows)
    assert (chart.low, chart.high) == (-1.0, 2.0)  # one scale for all series
    assert (ys[0], ys[-1]) == (chart.top, chart.top + chart.plot_height * 2 / 3)
    assert discriminator.lines == []  # the missing epoch breaks it into single points
    assert (discriminator.last, discriminator.last_x) == (-0.5, chart.left + PLOT_WIDTH)
    assert chart.label == "Loss per epoch, epochs 1 to 3; newest: generator 0, discriminator -0.5"


def test_a_flat_loss_sits_mid_plot() -> None:
    chart = loss_curve({"epochs": [1, 2], "series": {"loss": [0.3, 0.3]}})
    assert chart is not None
    ys = {y for _, y in points(chart.series[0].lines[0])}
    assert ys == {chart.top + chart.plot_height / 2}


async def set_model(app: Litestar, model_url: str, **values: Any) -> None:
    """Move the model row on as the worker would (status, progress)."""
    async with app.state.sessions() as session:
        row = await session.get(Model, uuid.UUID(model_url.rsplit("/", 1)[1]))
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)
        await session.commit()


async def test_the_model_page_and_its_live_fragment_show_the_loss_curve(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    project_url = await project_with_data(client)
    created = await submit_train(client, project_url, "ctgan", "Learning", epochs="3")
    model_url = created.headers["location"]
    assert '<svg role="img"' not in (await client.get(model_url)).text  # no epoch yet
    progress = {"phase": "training", "epoch": 3, "total_epochs": 3, "loss_history": HISTORY}
    await set_model(app, model_url, status=ModelStatus.TRAINING, progress=progress)
    for url in (model_url, model_url + "/status"):
        page = (await client.get(url)).text
        svg = re.search(r'<svg role="img" aria-label="([^"]+)"', page)
        assert svg and svg.group(1).startswith("Loss per epoch, epochs 1 to 3"), url
        assert re.findall(r'data-series="([^"]+)"', page) == ["generator", "discriminator"]
        assert "generator: 0" in page  # the legend names each series with its newest value
    await set_model(app, model_url, status=ModelStatus.READY)  # kept once ready
    assert 'aria-label="Loss per epoch' in (await client.get(model_url)).text
