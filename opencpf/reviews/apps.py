from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "opencpf.reviews"
    label = "reviews"
