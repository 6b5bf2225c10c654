from xinyu.concerns.urls_cases import urlpatterns as case_patterns
from xinyu.concerns.urls_reports import urlpatterns as report_patterns

app_name = "concerns"
urlpatterns = [*report_patterns, *case_patterns]
