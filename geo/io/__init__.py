"""Reading layers from outside: uploads (:mod:`geo.io.upload`)."""
