"""Console views: parse the request, call one service, render."""
