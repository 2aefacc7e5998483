from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "opencpf.rights"
    label = "rights"
