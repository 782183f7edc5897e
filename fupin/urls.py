from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("fupin.api.urls")),
    path("", include("fupin.web.urls")),
]
