"""Open311 GeoReport v2 at /open311/v2: services from the category taxonomy, requests mapped
onto ordinary orders (channel "open311"), api keys issued per client app by an admin."""
