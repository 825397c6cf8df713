"""The importer of Bogotá's official open layers into an atlas folder (``python -m geo atlas``)."""
