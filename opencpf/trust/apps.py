from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "opencpf.trust"
    label = "trust"
