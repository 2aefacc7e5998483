from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "opencpf.trust"
    label = "trust"
    verbose_name = "Confiance"

    def ready(self) -> None:
        from opencpf.catalogue.signals import offer_change_listeners
        from opencpf.trust.hooks import offer_changed

        if offer_changed not in offer_change_listeners:
            offer_change_listeners.append(offer_changed)
