"""What we answer citizens on chat channels, in their language."""

from __future__ import annotations

from aduan.models.contact import Language

TEXTS: dict[str, dict[Language, str]] = {
    "filed": {
        "id": ("Terima kasih{name}. Aduan Anda sudah kami terima dengan nomor {code}. Kirim foto atau "
               "lokasi dalam {window} menit ke depan untuk melengkapinya. Cek status kapan saja: CEK {code}"),
        "en": ("Thank you{name}. We received your complaint as {code}. Send a photo or your location within "
               "the next {window} minutes to complete it. Check its status any time: STATUS {code}"),
    },
    "ask_comment_or_new": {
        "id": ("Anda masih punya aduan terbuka {code} ({status}). Balas 1 (TAMBAH) untuk menambahkan pesan ini "
               "ke aduan tersebut, atau 2 (BARU) untuk membuat aduan baru."),
        "en": ("You still have an open complaint {code} ({status}). Reply 1 (ADD) to add this message to it, "
               "or 2 (NEW) to file a new complaint."),
    },
    "added": {
        "id": "Pesan Anda sudah ditambahkan ke aduan {code}.",
        "en": "Your message was added to complaint {code}.",
    },
    "status": {
        "id": "Aduan {code}: {status}. Terakhir diperbarui {updated}.",
        "en": "Complaint {code}: {status}. Last updated {updated}.",
    },
    "status_unknown": {
        "id": "Nomor aduan {code} tidak ditemukan. Nomor aduan berbentuk ADU-7K3Q-9G.",
        "en": "We found no complaint {code}. Tracking codes look like ADU-7K3Q-9G.",
    },
    "opted_out": {
        "id": "Anda tidak akan menerima pesan dari kami lagi. Kirim MULAI untuk mengaktifkannya kembali.",
        "en": "You will not receive messages from us any more. Send START to turn them back on.",
    },
    "opted_in": {
        "id": "Pesan dari kami aktif kembali. Kirim aduan Anda kapan saja.",
        "en": "Messages from us are back on. Send us your complaint any time.",
    },
}

STATUS_NAMES: dict[str, dict[Language, str]] = {
    "received": {"id": "diterima, menunggu verifikasi", "en": "received, awaiting verification"},
    "verified": {"id": "terverifikasi", "en": "verified"},
    "assigned": {"id": "diteruskan ke dinas terkait", "en": "forwarded to the agency"},
    "accepted": {"id": "diterima dinas", "en": "accepted by the agency"},
    "in_progress": {"id": "sedang ditangani", "en": "being worked on"},
    "resolved": {"id": "selesai ditangani", "en": "resolved"},
    "closed": {"id": "ditutup", "en": "closed"},
    "reopened": {"id": "dibuka kembali", "en": "reopened"},
    "need_info": {"id": "menunggu informasi dari Anda", "en": "waiting for information from you"},
    "on_hold": {"id": "ditunda", "en": "on hold"},
    "rejected": {"id": "ditolak", "en": "rejected"},
    "duplicate": {"id": "digabung dengan aduan lain", "en": "merged with another complaint"},
    "returned": {"id": "dikembalikan ke verifikator", "en": "returned to the desk"},
}


def render(key: str, language: Language, **values: object) -> str:
    return TEXTS[key][language].format(**values)


def status_name(status: str, language: Language) -> str:
    return STATUS_NAMES.get(status, {}).get(language, status)
