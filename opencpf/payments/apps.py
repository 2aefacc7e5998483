from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "opencpf.payments"
    label = "payments"
