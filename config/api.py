"""The one NinjaAPI: every domain adds its router here, under /api/v1/."""

from opencpf.api.errors import install_error_handlers
from opencpf.api.openapi import ProblemNinjaAPI
from opencpf.api.routers import catalogue as catalogue_router
from opencpf.api.routers import core as core_router
from opencpf.api.routers import enrolment as enrolment_router
from opencpf.api.routers import identity as identity_router
from opencpf.api.routers import payments as payments_router
from opencpf.api.routers import reviews as reviews_router
from opencpf.api.routers import rights as rights_router
from opencpf.api.routers import search as search_router
from opencpf.api.routers import support as support_router
from opencpf.api.routers import trust as trust_router

api = ProblemNinjaAPI(
    title="opencpf API",
    version="1.0.0",
    description=(
        "API du compte personnel de formation pour l'application mobile et les logiciels des organismes. "
        "Erreurs au format RFC 9457 (application/problem+json) avec un `code` stable. "
        "Les POST qui créent ou déplacent quelque chose acceptent l'en-tête `Idempotency-Key`."
    ),
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/", core_router.router, tags=["Plateforme"])
api.add_router("/", identity_router.router, tags=["Identité"])
api.add_router("/rights", rights_router.router, tags=["Droits"])
api.add_router("/catalogue", catalogue_router.router, tags=["Catalogue"])
api.add_router("/", search_router.router, tags=["Recherche"])
api.add_router("/", enrolment_router.router, tags=["Inscriptions"])
api.add_router("/", payments_router.router, tags=["Paiements"])
api.add_router("/", reviews_router.router, tags=["Évaluations"])
api.add_router("/", support_router.router, tags=["Aide et litiges"])
api.add_router("/", support_router.disputes_router, tags=["Aide et litiges"])
api.add_router("/", trust_router.router, tags=["Contrôles"])
