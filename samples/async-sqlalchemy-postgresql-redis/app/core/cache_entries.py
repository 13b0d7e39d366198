"""What the cache holds, and what a change to each entity renews, by the entity's id.

    entry        depends on (besides `epoch`, see app/core/cache.py)
    user:{id}    user:{id}
    post:{id}    post:{id}, posts

    a change to   renews
    user {id}     user:{id}, posts   (posts show their author; deleting a user deletes theirs)
    post {id}     post:{id}
    tag {id}      posts              (any post may carry the tag)

Creating an item changes no cached answer. `posts` is coarse on purpose: renewing it
drops every cached post, which is correct without tracking which posts link to which
user or tag. A new cached read adds its entry here, and each change that alters its
answer renews one of the entry's generations.
"""

from app.core.cache import Entry

ALL_POSTS = "posts"


def user_entry(user_id: int) -> Entry:
    return Entry(f"user:{user_id}", (f"user:{user_id}",))


def post_entry(post_id: int) -> Entry:
    return Entry(f"post:{post_id}", (f"post:{post_id}", ALL_POSTS))


def user_changed(user_id: int) -> tuple[str, ...]:
    return (f"user:{user_id}", ALL_POSTS)


def post_changed(post_id: int) -> tuple[str, ...]:
    return (f"post:{post_id}",)


def tag_changed(tag_id: int) -> tuple[str, ...]:
    return (ALL_POSTS,)
