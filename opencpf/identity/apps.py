from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "opencpf.identity"
    label = "identity"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from opencpf.identity import services
        from opencpf.identity.models import UserSession

        def _logged_in(sender, request, user, **kwargs):  # type: ignore[no-untyped-def]
            if request is not None and hasattr(request, "session"):
                services.session_register(request=request, user=user)

        def _logged_out(sender, request, user, **kwargs):  # type: ignore[no-untyped-def]
            key = getattr(getattr(request, "session", None), "session_key", None)
            if key:
                UserSession.objects.filter(session_key=key).delete()

        user_logged_in.connect(_logged_in, dispatch_uid="identity_session_register", weak=False)
        user_logged_out.connect(_logged_out, dispatch_uid="identity_session_forget", weak=False)
