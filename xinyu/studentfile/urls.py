app_name = "studentfile"

urlpatterns = []
