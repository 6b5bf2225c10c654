"""The student file (心理健康档案): one timeline per student of everything the viewer's tier allows."""
