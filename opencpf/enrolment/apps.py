from django.apps import AppConfig


class EnrolmentConfig(AppConfig):
    name = "opencpf.enrolment"
    label = "enrolment"
