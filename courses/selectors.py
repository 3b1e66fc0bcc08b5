"""Reads about courses and visits."""

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery

from courses.models import Course, Visit
from patients.models import PatientContraindication


def courses_with_progress(queryset: QuerySet[Course]) -> QuerySet[Course]:
    """Annotate each course with its done visits, the pain before its first done visit
    and the pain after its latest one, in the same query as the courses."""
    done = Visit.objects.filter(course=OuterRef("pk"), status=Visit.Status.DONE)
    return queryset.annotate(
        done_count=Count("visits", filter=Q(visits__status=Visit.Status.DONE)),
        pain_at_start=Subquery(
            done.order_by("performed_at", "sequence").values("pain_before")[:1],
            output_field=IntegerField(),
        ),
        latest_pain=Subquery(
            done.order_by("-performed_at", "-sequence").values("pain_after")[:1],
            output_field=IntegerField(),
        ),
    )


def patient_open_contraindications(patient_id: int) -> list[PatientContraindication]:
    return list(
        PatientContraindication.objects.unresolved()
        .filter(patient_id=patient_id)
        .select_related("contraindication")
        .order_by("contraindication__kind", "noted_on")
    )
