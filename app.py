"""cnnviz: the Streamlit entry point (``streamlit run app.py``).

Run by ``streamlit run``, this file is read twice. Imported as a module it builds ``app``,
the ASGI application (``st.App``) that serves this same file as the Streamlit script, with
one middleware: browsers asking for an unknown path are sent home with a notice instead of
a blank page (``cnnviz.ui.routing``); and it caps the process's malloc arenas
(``cnnviz.ui.server_memory``). Run as the script (``__main__``) it sets the page up,
draws the shared sidebar (language, classroom mode, credits) and the navigation grouped as
Basics / Operations / Networks from the lesson registry (``cnnviz.lessons.registry``).
"""

import streamlit as st

if __name__ != "__main__":  # imported by `streamlit run`: the server
    from starlette.middleware import Middleware

    from cnnviz.ui.routing import UnknownPathRedirect
    from cnnviz.ui.server_memory import cap_malloc_arenas

    cap_malloc_arenas()  # before any session's thread: freed memory is reused, not kept
    app = st.App(__file__, middleware=[Middleware(UnknownPathRedirect)])
else:  # the script every session runs
    from cnnviz import ui
    from cnnviz.ui import links
    from cnnviz.ui.navigation import build_pages
    from cnnviz.ui.routing import missing_page_notice
    from cnnviz.ui.session_memory import arrival_notice
    from cnnviz.ui.widget_memory import forget_stale_widget_metadata

    forget_stale_widget_metadata()  # Streamlit keeps it for every widget ever drawn

    st.set_page_config(layout="wide", page_title="cnnviz", page_icon=":material/grid_on:")
    ui.sidebar()
    page = st.navigation(build_pages(), expanded=True)
    ui.credits()
    missing_page_notice()
    arrival_notice()  # a browser moved here from another replica is told what was lost
    links.page_starts()
    page.run()
    links.finish()  # the link with the values of widgets inside fragments too
