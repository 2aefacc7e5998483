from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "opencpf.web"
    label = "web"
    verbose_name = "Pages"
