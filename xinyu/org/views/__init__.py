from xinyu.org.views.students import class_group, network, student_detail, student_list  # noqa: F401
