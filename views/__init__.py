"""Dashboard pages: one Streamlit script per page, listed in dashboard.py PAGES."""
