"""Back-office: the moderation queue of held rating comments (publish, or reject with a reason)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opencpf.core.exceptions import DomainError
from opencpf.reviews import selectors, services
from opencpf.reviews.models import Rating
from opencpf.web.access import agent_required
from opencpf.web.reviews_forms import RejectForm


def _queue(request: HttpRequest, form: RejectForm | None = None, failed: int | None = None) -> HttpResponse:
    context = {
        "title": "Modération des avis",
        "ratings": selectors.moderation_queue()[:100],
        "reject_form": RejectForm(),
        "failed_form": form,
        "failed_id": failed,
    }
    return render(request, "backoffice/reviews/queue.html", context, status=400 if form else 200)


@agent_required("reviews.moderate_rating")
def moderation_queue(request: HttpRequest) -> HttpResponse:
    return _queue(request)


@agent_required("reviews.moderate_rating")
@require_POST
def moderate(request: HttpRequest, rating_id: int) -> HttpResponse:
    if not Rating.objects.filter(pk=rating_id).exists():
        raise Http404
    decision = request.POST.get("decision")
    if decision == "publier":
        try:
            services.comment_publish(rating_id=rating_id, agent=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Commentaire publié.")
        return redirect("backoffice:reviews_queue")
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.comment_reject(rating_id=rating_id, agent=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Commentaire refusé.")
            return redirect("backoffice:reviews_queue")
    return _queue(request, form, rating_id)
