from xinyu.org.views.posts import (  # noqa: F401
    appoint,
    end_post,
    grant_decision,
    grants,
    posts,
)
from xinyu.org.views.students import class_group, network, student_detail, student_list  # noqa: F401
