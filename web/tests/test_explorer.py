"""The explorer in a real browser: the same run as the native solver, and
the page's controls. One page (the default game at 64^2, passed in the
link as a user would) serves every test of this module, in order."""

from __future__ import annotations

import io
import json
import os
import re
import time
from pathlib import Path

import numpy as np
import pytest

import mflda
from browser import ROOT, Page, browser, config_link, server  # noqa: F401 (fixtures)

GAME_64 = re.sub(r"(?m)^n = 256 ", "n = 64  ", (ROOT / "assets" / "default.toml").read_text())
STEPS = 50

BAD = 'potential_mu = "0.3 * coz(x.x)"'
GOOD = 'potential_mu = "0.3 * cos(x.x)"'


@pytest.fixture(scope="module")
def page(browser, server):
    assert "n = 64 " in GAME_64
    p = Page(browser, f"{server}/index.html{config_link(GAME_64)}")
    p.wait_for("typeof window.mflda === 'object'", timeout=60)
    # Rejects (and fails here, with the page's message) when the browser
    # has no WebGPU adapter.
    p.eval("window.mflda.ready.then(() => true)", timeout=600)
    return p


def click(page: Page, id: str) -> None:
    page.eval(f"document.getElementById('{id}').click(), true")


def text_of(page: Page, id: str) -> str:
    return page.eval(f"document.getElementById('{id}').textContent")


def test_the_page_runs_the_default_game_as_the_native_solver_does(page):
    assert page.eval("document.getElementById('editor').value") == GAME_64
    assert page.eval("window.mflda.state.explorer.adapter()")
    got = page.eval(
        f"""(async () => {{
            const ex = window.mflda.state.explorer;
            const m = JSON.parse(await ex.advance({STEPS}));
            return {{ m, d: Array.from(await ex.densities()), info: window.mflda.state.info }};
        }})()""",
        timeout=600,
    )
    assert got["m"]["steps"] == STEPS
    sim = mflda.Simulation(GAME_64)
    sim.advance(STEPS)
    assert got["info"]["names"] == sim.names == ["mu", "nu"]
    assert got["m"]["t"] == pytest.approx(sim.t, rel=1e-12)
    native = np.concatenate([sim.densities()[n].ravel() for n in sim.names]).astype(np.float64)
    web = np.asarray(got["d"], dtype=np.float64)
    assert web.shape == native.shape == (2 * 64 * 64,)
    rel = np.linalg.norm(web - native) / np.linalg.norm(native)
    # mflda samples the payoff with its own sin and cos (src/game/trig.rs):
    # the browser's software adapter's built-ins err by about 2e-4.
    assert rel < 1e-5, f"relative L2 difference {rel:.3e} between the browser's and the native densities"
    # The metrics agree as well (the same measurement on both devices).
    web_metrics = dict(zip(got["m"]["columns"], got["m"]["values"]))
    for column in ("l2_mu", "l2_nu", "kl_mu", "kl_nu", "ni"):
        assert web_metrics[column] == pytest.approx(sim.metrics()[column], rel=1e-4), column


def test_start_pause_and_step_drive_the_run(page):
    before = page.eval("window.mflda.state.steps")
    click(page, "start")
    page.wait_for(f"window.mflda.state.steps > {before} + 2", timeout=300)
    assert page.eval("document.getElementById('start').disabled") is True
    assert "steps/s" in text_of(page, "status")
    click(page, "pause")
    page.wait_for("!window.mflda.state.running && !window.mflda.state.busy", timeout=120)
    paused = page.eval("window.mflda.state.steps")
    time.sleep(1.0)
    assert page.eval("window.mflda.state.steps") == paused, "the run went on after pause"
    assert page.eval("document.getElementById('start').disabled") is False
    assert f"step {paused} " in text_of(page, "status")
    click(page, "step")
    page.wait_for(f"window.mflda.state.steps === {paused} + 1 && !window.mflda.state.busy", timeout=120)
    # The live views were drawn: a panel per species and the plot.
    for id in ("panel-0", "panel-1", "plot"):
        ink = page.eval(
            f"""(() => {{ const c = document.getElementById('{id}');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let s = 0; for (let i = 3; i < d.length; i += 4) s += d[i] > 0; return s; }})()"""
        )
        assert ink > 100, f"{id} is blank"


def test_a_bad_expression_shows_its_message_and_blocks_reset(page):
    steps = page.eval("window.mflda.state.steps")
    page.eval(
        f"""(() => {{ const e = document.getElementById('editor');
            e.value = e.value.replace('{GOOD}', '{BAD}');
            e.dispatchEvent(new Event('input')); return true; }})()"""
    )
    message = page.wait_for("document.getElementById('message').textContent", timeout=30)
    assert "game.potential_mu" in message and "coz" in message, message
    click(page, "reset")
    time.sleep(0.5)
    assert page.eval("window.mflda.state.info !== null")
    assert page.eval("window.mflda.state.steps") == steps, "a config that does not check was loaded"
    page.eval(
        f"""(() => {{ const e = document.getElementById('editor');
            e.value = e.value.replace('{BAD}', '{GOOD}');
            e.dispatchEvent(new Event('input')); return true; }})()"""
    )
    page.wait_for("document.getElementById('message').textContent === ''", timeout=30)


def test_the_link_and_the_exported_config_are_the_editor_text(page):
    link = page.eval("location.hash")
    assert link == config_link(GAME_64)
    assert page.eval("document.getElementById('editor').value") == GAME_64


def test_sliders_write_the_config_and_carry_the_densities_over(page):
    # setKey keeps the text's lines and comments, and sets every [[species]] block.
    cyclic = (ROOT / "assets" / "examples" / "three-player-cyclic" / "cyclic.toml").read_text()
    out = page.eval(f"window.mflda.setKey({json.dumps(cyclic)}, 'species', 'tau', 0.123)")
    assert out.count("tau = 0.123") == 3 and out.count("\n") == cyclic.count("\n")
    assert page.eval(f"window.mflda.getKey({json.dumps(GAME_64)}, 'game', 'tau')") == 0.2
    before = np.asarray(page.eval("window.mflda.state.explorer.densities().then((d) => Array.from(d))"))
    # Moving tau reloads the config, the densities of the run so far kept.
    page.eval(
        """(() => { const s = document.getElementById('tau'); s.value = 700;
            s.dispatchEvent(new Event('change')); return true; })()"""
    )
    page.wait_for("window.mflda.state.busy", timeout=10, every=0.05)
    page.wait_for("!window.mflda.state.busy", timeout=600)
    assert text_of(page, "message") == ""
    text = page.eval("document.getElementById('editor').value")
    tau = page.eval("window.mflda.getKey(document.getElementById('editor').value, 'game', 'tau')")
    assert tau != 0.2 and re.search(rf"(?m)^tau = {tau} +# entropic temperature", text), (
        "the slider did not write game.tau in place"
    )
    # What the page exports (the editor's text) is a config the CLI's parser
    # reads, with the slider's value.
    assert mflda.Config.from_toml(text).to_dict()["game"]["tau"] == pytest.approx(tau)
    assert page.eval("window.mflda.state.steps") == 0
    after = np.asarray(page.eval("window.mflda.state.explorer.densities().then((d) => Array.from(d))"))
    assert np.linalg.norm(after - before) < 1e-5 * np.linalg.norm(before)


def test_screenshot(page, tmp_path):
    """The README's picture (MFLDA_SCREENSHOT names where to keep it)."""
    click(page, "start")
    page.wait_for("window.mflda.state.steps > 40", timeout=300)
    click(page, "pause")
    page.wait_for("!window.mflda.state.running && !window.mflda.state.busy", timeout=120)
    png = page.screenshot()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    import matplotlib.image

    pixels = matplotlib.image.imread(io.BytesIO(png), format="png")
    assert pixels.shape[1] == 1400 and pixels.shape[0] > 600 and pixels.std() > 0.05
    out = Path(os.environ.get("MFLDA_SCREENSHOT") or tmp_path / "explorer.png")
    out.write_bytes(png)


def test_a_species_preset_in_1d_runs_and_draws_curves(page):
    """The species form, in 1D: the Kuramoto preset from assets/examples."""
    names = page.eval("Array.from(document.getElementById('preset').options).map((o) => o.text)")
    index = next(i for i, n in enumerate(names) if "Kuramoto" in n)
    page.eval(
        f"""(() => {{ const s = document.getElementById('preset'); s.value = '{index}';
            s.dispatchEvent(new Event('change')); return true; }})()"""
    )
    page.wait_for("window.mflda.state.info && window.mflda.state.info.n2 === 1 && !window.mflda.state.busy", timeout=600)
    assert text_of(page, "message") == ""
    assert page.eval("document.getElementById('eta').disabled") is True  # a species system has no eta
    click(page, "step")
    page.wait_for("window.mflda.state.steps === 1 && !window.mflda.state.busy", timeout=120)
    ink = page.eval(
        """(() => { const c = document.getElementById('panel-all');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let s = 0; for (let i = 3; i < d.length; i += 4) s += d[i] > 0; return s; })()"""
    )
    assert ink > 100, "the 1D curves were not drawn"
