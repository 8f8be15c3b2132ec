"""tierplan: plan where to host a small web app for the least money."""
