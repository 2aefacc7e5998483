from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "opencpf.core"
    label = "core"
