from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "opencpf.support"
    label = "support"
