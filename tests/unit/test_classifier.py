"""The keyword classifier against real-style complaints as citizens write them (SMS, WhatsApp, web),
in Bahasa Indonesia, Javanese-flavoured slang and English, with the Semarang configuration."""

from __future__ import annotations

from functools import cache

import pytest

from aduan.logic.classifier import Classifier
from aduan.logic.normalise import phrase, words
from aduan.logic.triage import classifier_for
from aduan.models.config import load_config_dir
from infra.seed import DEFAULT_CITY_DIR


@cache
def semarang() -> Classifier:
    return classifier_for(load_config_dir(DEFAULT_CITY_DIR))


TABLE: list[tuple[str, str | None]] = [
    # roads
    ("Jalan rusak parah di Jl. Fatmawati, banyak lubang besar", "jalan-rusak"),
    ("jln berlubang depan SD Negeri 2 Tlogosari, udh sering ada yg jatuh", "jalan-rusak"),
    ("Aspal mengelupas dan bergelombang sepanjang jalan Majapahit", "jalan-rusak"),
    ("Lubangnya dalam bgt pak, kalau hujan tidak kelihatan", "jalan-rusak"),
    ("Pothole on Jalan Pemuda near the mall, very dangerous for motorbikes", "jalan-rusak"),
    ("trotoar rusak paving lepas2 di depan pasar bulu", "jalan-rusak"),
    ("Jalan ambles di Gunungpati setelah hujan deras", "jalan-rusak"),
    # drains
    ("Selokan depan rumah mampet, air meluap ke jalan", "drainase"),
    ("Got mampet penuh sampah plastik, mohon dibersihkan", "drainase"),
    ("Saluran air tersumbat di RT 05 RW 02 Kelurahan Jomblang", "drainase"),
    ("The drain on my street is blocked and smells", "drainase"),
    # floods
    ("Banjir setinggi lutut di Kaligawe sejak tadi pagi", "banjir-rob"),
    ("rob masuk rumah warga Tambaklorok, air pasang tinggi", "banjir-rob"),
    ("Genangan air tidak surut 2 hari di perumahan kami", "banjir-rob"),
    ("Pompa air polder Tawang tidak jalan, kebanjiran lagi", "banjir-rob"),
    ("Street flooded again after one hour of rain near Simpang Lima", "banjir-rob"),
    # disasters and trees
    ("Tanah longsor menimpa rumah di Tinjomoyo", "bencana-alam"),
    ("Angin puting beliung merusak atap puluhan rumah", "bencana-alam"),
    ("Pohon tumbang menutup jalan di Jl. Sriwijaya", "pohon-tumbang"),
    ("pohon besar rawan tumbang dekat sekolah, dahan sudah patah", "pohon-tumbang"),
    ("A fallen tree is blocking the road to Tembalang", "pohon-tumbang"),
    # rubbish
    ("Sampah numpuk di TPS Pasar Johar sudah seminggu tidak diangkut", "sampah"),
    ("tumpukan sampah di pinggir jalan bau sekali", "sampah"),
    ("Truk sampah tidak datang ke RT kami sejak Senin", "sampah"),
    ("Garbage has not been collected for a week", "sampah"),
    ("Warga buang sampah sembarangan di sungai", "sampah"),
    # pollution
    ("Limbah pabrik dibuang ke sungai, airnya hitam dan bau menyengat", "pencemaran"),
    ("Asap pabrik sangat mengganggu pernapasan warga", "pencemaran"),
    ("Air pollution from the factory chimney every night", "pencemaran"),
    # street lights
    ("Lampu PJU mati di Jl. Sompok, gelap sekali malam hari", "pju-mati"),
    ("lmp jalan mati sdh 1 minggu gk diperbaiki", "pju-mati"),
    ("Penerangan jalan umum padam di sepanjang jalan Arteri", "pju-mati"),
    ("Street lights out on Jalan Setiabudi", "pju-mati"),
    # parks
    ("Fasilitas taman rusak, bangku taman patah di taman Menteri Supeno", "taman"),
    ("Taman kota kotor, fasilitas taman banyak yang rusak", "taman"),
    # water
    ("Air PDAM mati sejak kemarin di Perumnas Banyumanik", "air-pdam"),
    ("air pdam gak ngalir sdh 3 hari", "air-pdam"),
    ("Air keruh dan berbau dari keran PDAM", "air-pdam"),
    ("Pipa bocor di depan rumah, air terbuang sia-sia", "air-pdam"),
    ("No tap water at my house since Monday", "air-pdam"),
    ("Tagihan air bulan ini naik tiga kali lipat", "air-pdam"),
    # electricity
    ("Mati lampu terus tiap sore di Kedungmundu", "listrik-padam"),
    ("Listrik padam sejak jam 8 pagi, PLN belum datang", "listrik-padam"),
    ("Kabel listrik menjuntai rendah dekat gardu", "listrik-padam"),
    ("Power outage in Pedurungan for 6 hours", "listrik-padam"),
    # parking
    ("Parkir liar di bahu jalan Pandanaran bikin macet", "parkir-liar"),
    ("Jukir minta tarif parkir 5000 padahal resminya 2000", "parkir-liar"),
    ("Illegal parking blocks the pavement every evening", "parkir-liar"),
    # traffic
    ("Lampu merah di perempatan Kalibanteng mati, lalu lintas semrawut", "lalu-lintas"),
    ("Macet parah setiap pagi, rambu dilarang putar balik tertutup pohon", "lalu-lintas"),
    ("The traffic light at Tugu Muda is broken", "lalu-lintas"),
    # public transport
    ("Bus Trans Semarang koridor 2 telat terus, halte penuh", "angkutan-umum"),
    ("sopir BRT ugal-ugalan, membahayakan penumpang", "angkutan-umum"),
    # vendors / order
    ("PKL berjualan di trotoar Simpang Lima, pejalan kaki turun ke jalan", "pkl-ketertiban"),
    ("Pedagang kaki lima menutup trotoar jalan Pahlawan", "pkl-ketertiban"),
    ("Street vendors occupy the sidewalk in Kota Lama", "pkl-ketertiban"),
    # buildings
    ("Bangunan liar berdiri di sempadan sungai tanpa izin", "bangunan-perizinan"),
    ("Tetangga membangun tanpa PBG, menutup akses jalan", "bangunan-perizinan"),
    # civil registration
    ("KTP saya sudah 3 bulan belum jadi, katanya blanko habis", "adminduk"),
    ("Pengurusan akta kelahiran anak dipersulit", "adminduk"),
    ("e-ktp rusak mau cetak ulang harus antri dari subuh", "adminduk"),
    ("Kartu keluarga belum diperbarui setelah pindah domisili", "adminduk"),
    ("My ID card has been processing for two months", "adminduk"),
    # health
    ("Pelayanan di Puskesmas Kedungmundu lama, antrian sampai siang", "kesehatan"),
    ("Banyak nyamuk, tetangga kena demam berdarah, mohon fogging", "kesehatan"),
    ("Pasien BPJS ditolak rumah sakit", "kesehatan"),
    # education
    ("Pungutan sekolah di SMP negeri untuk seragam mahal", "pendidikan"),
    ("Sistem zonasi PPDB tidak adil", "pendidikan"),
    # social assistance
    ("Bansos PKH tidak cair padahal terdaftar DTKS", "bansos"),
    ("Ada ODGJ terlantar di depan pasar", "bansos"),
    # fire
    ("Kebakaran rumah di Jl. Dr Cipto, api masih besar!", "kebakaran"),
    ("gudang terbakar, asap tebal sampai ke jalan", "kebakaran"),
    ("Fire at the market stalls, send help", "kebakaran"),
    # local tax
    ("SPPT PBB tahun ini tidak sesuai luas tanah", "pajak-daerah"),
    # markets
    ("Atap los pasar bocor, kios pedagang basah", "pasar"),
    # local services
    ("Lurah tidak mau tanda tangan surat pengantar", "pelayanan-wilayah"),
    ("Pelayanan di kantor kecamatan lambat dan ada pungli", "pelayanan-wilayah"),
    # nothing to go on
    ("Terima kasih atas pelayanannya", None),
    ("Halo min, mau tanya", None),
]


@pytest.mark.parametrize(("text", "expected"), TABLE, ids=[text[:40] for text, _ in TABLE])
def test_real_style_complaints_get_the_right_category(text: str, expected: str | None) -> None:
    result = semarang().classify("", text)
    assert result.category_id == expected, (result, text)


def test_the_table_is_big_enough() -> None:
    assert len(TABLE) >= 60
    assert len({expected for _, expected in TABLE}) >= 20


def test_slang_and_affixes_meet_the_keyword_form() -> None:
    assert [word.raw for word in words("Jln BERLUBANG, gk diperbaiki!!")] == ["jalan", "berlubang", "tidak",
                                                                              "diperbaiki"]
    text = words("sampah numpuk")
    assert text[1].meets(phrase("menumpuk")[0])  # numpuk = menumpuk = tumpuk
    assert words("lubangnya")[0].meets(words("berlubang")[0])
    assert words("rusak2")[0].raw == "rusak" and words("rusak-rusak")[0].raw == "rusak"


def test_a_title_match_counts_more_and_confidence_reflects_the_margin() -> None:
    sure = semarang().classify("Jalan berlubang", "jalan berlubang di depan rumah")
    unsure = semarang().classify("", "sampah di selokan")
    assert sure.category_id == "jalan-rusak" and sure.confidence > 0.75
    assert unsure.confidence < sure.confidence
    assert "jalan berlubang" in sure.matched


def test_words_inside_other_words_do_not_match() -> None:
    # "rob" (tidal flood) must not fire on "roboh" (collapsed).
    assert "rob" not in semarang().classify("", "Tembok roboh").matched


def test_one_classifier_per_configuration_and_a_reloaded_one_gets_its_own() -> None:
    config = load_config_dir(DEFAULT_CITY_DIR)
    first = classifier_for(config)
    assert classifier_for(config) is first  # keywords worked out once, not per complaint
    reloaded = load_config_dir(DEFAULT_CITY_DIR)
    assert classifier_for(reloaded) is not first
    settings = reloaded.routing.classifier
    fresh = Classifier(reloaded.categories, settings.synonyms, settings.min_score)
    for title, text in (("Lampu jalan mati", "gelap sekali"), ("Sampah menumpuk", "bau di pasar")):
        assert classifier_for(reloaded).classify(title, text) == fresh.classify(title, text)
