"""PySide6 widgets and view-models. Thin: all device and cloud work lives in commissioner.core."""
