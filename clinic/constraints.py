"""Check constraints validated in one query instead of one query (and one savepoint)
per constraint.

Django validates each ``CheckConstraint`` of a model with its own ``SELECT 1 WHERE
<condition>``, inside a savepoint when a transaction is open: three queries a
constraint, twelve for a visit's four. Here every condition becomes one column of a
single ``SELECT``, with the same values and the same messages; other constraints
(unique ones) are validated as Django does.
"""

from typing import Any

from django.core.exceptions import FieldError, ValidationError
from django.db import DatabaseError, connections, router, transaction
from django.db.models import BooleanField, CheckConstraint, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE


class CheckConstraintsAtOnce:
    """A model mixin: ``validate_constraints`` asks the database about all the model's
    check constraints at once."""

    def validate_constraints(self, exclude: set[str] | None = None) -> None:
        using = router.db_for_write(self.__class__, instance=self)
        connection = connections[using]
        if not connection.features.supports_comparing_boolean_expr:
            return super().validate_constraints(exclude)
        errors: dict[str, Any] = {}
        for model_class, constraints in self.get_constraints():
            checks = [c for c in constraints if isinstance(c, CheckConstraint)]
            for constraint in constraints:
                if constraint not in checks:
                    try:
                        constraint.validate(model_class, self, exclude=exclude, using=using)
                    except ValidationError as error:
                        errors = error.update_error_dict(errors)
            for constraint in self._failed_checks(model_class, checks, exclude, using):
                error = ValidationError(
                    constraint.get_violation_error_message(),
                    code=constraint.violation_error_code,
                )
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _failed_checks(
        self, model_class, checks: list[CheckConstraint], exclude, using: str
    ) -> list[CheckConstraint]:
        if not checks:
            return []
        against = self._get_field_expression_map(meta=model_class._meta, exclude=exclude)
        query = Query(None)
        for name, value in against.items():
            if not hasattr(value, "resolve_expression"):
                value = Value(value)
            query.add_annotation(value, name, select=False)
        asked = []
        for index, constraint in enumerate(checks):
            condition = Coalesce(Q(constraint.condition), True, output_field=BooleanField())
            try:
                query.add_annotation(condition, f"_check_{index}")
            except FieldError:
                # As Django does: a condition on a field left out is not checked.
                continue
            asked.append(constraint)
        if not asked:
            return []
        connection = connections[using]
        atomic = transaction.atomic(using=using) if connection.in_atomic_block else None
        try:
            if atomic is None:
                row = query.get_compiler(using=using).execute_sql(SINGLE)
            else:
                with atomic:
                    row = query.get_compiler(using=using).execute_sql(SINGLE)
        except DatabaseError:
            # As Django does: a condition the database cannot evaluate here is left to
            # the database itself when the row is written.
            return []
        return [constraint for constraint, held in zip(asked, row, strict=True) if not held]
