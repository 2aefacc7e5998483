from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "opencpf.search"
    label = "search"
