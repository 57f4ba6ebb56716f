"""Pure-Python lesson logic shared by pages (no Streamlit): engine calls packaged for the
animator (``conv``) and questions generated from the current settings (``quizzes``)."""
