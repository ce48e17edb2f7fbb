from streamlit.testing.v1 import AppTest

from conftest import ROOT


def test_app_runs_on_bundled_data():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception
    assert at.title[0].value == "Ecosystem Graph Explorer"
    assert len(at.dataframe) >= 2
