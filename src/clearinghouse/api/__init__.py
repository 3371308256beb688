"""The REST API: one NinjaAPI, one router per app, one way to turn service errors into HTTP."""
