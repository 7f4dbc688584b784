"""fake_flickr: a local test double of the Flickr API, OAuth endpoints and media hosts.

    from fake_flickr import FakeFlickr, sample_account
    with FakeFlickr(sample_account()) as fake:
        ...  # fake.api_url, fake.oauth_url, fake.static_url, fake.calls, fake.add_fault(...)
"""

from .account import (Account, Album, Collection, Comment, Contact, Fave, Gallery, Group,
                      Profile, Note, PersonTag, Photo, User,
                      generate_account, make_geo, normalize_tag, is_machine_tag,
                      sample_account)
from .client import FlickrClient
from .server import DELETE, FakeFlickr, Raw

__all__ = ["FakeFlickr", "FlickrClient", "Account", "User", "Photo", "Comment", "Fave",
           "Album", "Collection", "Gallery", "Group", "Contact", "Profile", "Note", "PersonTag", "sample_account", "generate_account", "make_geo",
           "normalize_tag", "is_machine_tag", "Raw", "DELETE"]
