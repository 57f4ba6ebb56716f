"""cnnviz: the Streamlit entry point (``streamlit run app.py``).

Sets the page up, draws the shared sidebar (language, classroom mode, credits) and
navigation grouped as Basics / Operations / Networks from the lesson registry
(``cnnviz.lessons.registry.LESSONS``).
"""

import streamlit as st

from cnnviz import ui
from cnnviz.ui.navigation import build_pages

st.set_page_config(layout="wide", page_title="cnnviz", page_icon=":material/grid_on:")
ui.sidebar()
page = st.navigation(build_pages(), expanded=True)
ui.credits()
page.run()
