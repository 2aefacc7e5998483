from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "opencpf.identity"
    label = "identity"
