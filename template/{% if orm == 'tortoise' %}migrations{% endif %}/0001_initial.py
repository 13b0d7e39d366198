"""Initial schema: users, profiles, posts, tags and the post_tags link table."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from app.models import utc_now


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Tag",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("name", fields.CharField(unique=True, max_length=50)),
            ],
            options={"table": "tags", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="User",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("username", fields.CharField(unique=True, max_length=50)),
                ("email", fields.CharField(unique=True, max_length=255)),
                ("hashed_password", fields.CharField(max_length=255)),
                ("is_active", fields.BooleanField(default=True)),
                ("created_at", fields.DatetimeField(default=utc_now, auto_now=False, auto_now_add=False)),
            ],
            options={"table": "users", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Post",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "author",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="author_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="posts",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("title", fields.CharField(max_length=200)),
                ("body", fields.TextField(default="", unique=False)),
                ("published", fields.BooleanField(default=False, db_index=True)),
                ("created_at", fields.DatetimeField(default=utc_now, auto_now=False, auto_now_add=False)),
                (
                    "tags",
                    fields.ManyToManyField(
                        "models.Tag",
                        unique=True,
                        db_constraint=True,
                        through="post_tags",
                        forward_key="tag_id",
                        backward_key="post_id",
                        related_name="posts",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={"table": "posts", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Profile",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "user",
                    fields.OneToOneField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="profile",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("bio", fields.CharField(default="", max_length=500)),
                ("avatar_url", fields.CharField(null=True, max_length=500)),
            ],
            options={"table": "profiles", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
    ]
