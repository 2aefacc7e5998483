from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "opencpf.catalogue"
    label = "catalogue"
