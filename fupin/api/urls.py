from django.urls import path
from drf_spectacular.views import SpectacularAPIView

app_name = "api"
urlpatterns = [
    path("openapi.json", SpectacularAPIView.as_view(), name="openapi"),
]
