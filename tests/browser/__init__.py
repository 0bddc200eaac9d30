"""The HTML report opened in a real browser (headless Chromium through playwright)."""
