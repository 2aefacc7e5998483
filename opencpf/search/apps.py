from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "opencpf.search"
    label = "search"
    verbose_name = "Recherche"

    def ready(self) -> None:
        # The catalogue calls its listeners with an offer id after each committed offer change.
        from opencpf.catalogue.signals import offer_change_listeners
        from opencpf.search.hooks import offer_changed

        if offer_changed not in offer_change_listeners:
            offer_change_listeners.append(offer_changed)
