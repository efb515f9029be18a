// Bahasa Indonesia first, English on request; the choice is remembered in this browser.
const WORDS = {
  id: {
    app: 'Aduan Kota', signin: 'Masuk', signout: 'Keluar', desk: 'Meja verifikasi', entry: 'Input aduan',
    agency: 'Antrean instansi', supervisor: 'Pengawasan', feed: 'Aduan publik', stats: 'Statistik publik',
    role: 'Peran', verifier: 'Verifikator', agency_officer: 'Petugas instansi', citizen: 'Warga',
    name: 'Nama', agency_id: 'Instansi', status: 'Status', category: 'Kategori', area: 'Wilayah',
    channel: 'Kanal', priority: 'Prioritas', overdue: 'Lewat tenggat', order: 'Urutan', all: 'Semua',
    oldest: 'Terlama', urgent: 'Paling mendesak', due: 'Tenggat terdekat', code: 'Kode', title: 'Judul',
    sla: 'Tenggat', filter: 'Saring', refresh: 'Muat ulang', none: 'Tidak ada aduan.', loading: 'Memuat…',
    left: 'sisa', late: 'terlambat', bulk: 'Aksi massal', apply: 'Terapkan', selected: 'dipilih',
    accept_suggestion: 'Terima saran', verify: 'Verifikasi', assign: 'Disposisi', hold: 'Tunda',
    reject: 'Tolak', mark_duplicate: 'Tandai duplikat', request_info: 'Minta informasi',
    provide_info: 'Beri informasi', accept: 'Terima', start: 'Mulai kerjakan', not_our_authority: 'Bukan kewenangan',
    resolve: 'Selesaikan', approve_answer: 'Setujui jawaban', return_answer: 'Kembalikan jawaban', reopen: 'Buka kembali', close: 'Tutup', note: 'Catatan', reason: 'Alasan',
    response: 'Jawaban instansi', duplicate_of: 'Kode aduan asli', photo: 'Foto bukti', text: 'Isi aduan',
    location: 'Lokasi', reporter: 'Pelapor', anonymous: 'Anonim (identitas disamarkan)', suggestion: 'Saran triase',
    confidence: 'Keyakinan', keywords: 'Kata kunci', duplicates: 'Kemungkinan duplikat', distance: 'Jarak',
    similarity: 'Kemiripan', photos: 'Foto', no_photos: 'Tidak ada foto.', timeline: 'Riwayat', comments: 'Komentar',
    comment: 'Tulis komentar', internal: 'Internal (tidak terlihat warga)', internal_badge: 'Catatan internal', send: 'Kirim', actions: 'Tindakan',
    no_actions: 'Tidak ada tindakan untuk peran Anda pada status ini.', conflict: 'Aduan ini sudah diubah orang lain.',
    reload: 'Muat ulang dan coba lagi', this_complaint: 'Aduan ini', coordinates: 'Koordinat',
    map_offline: 'Peta tidak tersedia (tanpa internet); wilayah dan koordinat ditampilkan.', address: 'Alamat',
    source_reference: 'Sumber (koran, edisi, nomor panggilan)', phone: 'Telepon', email: 'Email',
    confidential: 'Rahasia (tidak dipublikasikan)', filed: 'Aduan tercatat', lat: 'Lintang', lon: 'Bujur',
    backlog: 'Tunggakan', league: 'Peringkat SLA instansi', trending: 'Kategori naik minggu ini',
    per_day: 'Masuk dan selesai per hari', sla_pct: 'Kepatuhan SLA per instansi', blocked: 'Daftar blokir',
    sender_ref: 'Pengirim (mis. whatsapp:+62…)', block: 'Blokir', unblock: 'Buka blokir', exports: 'Ekspor CSV',
    kind: 'Jenis', complaints: 'Aduan', statistics: 'Statistik', from: 'Dari', to: 'Sampai', start_export: 'Mulai ekspor',
    download: 'Unduh', received: 'Masuk', resolved: 'Selesai', rank: 'Peringkat', compliance: 'Kepatuhan',
    escalations: 'Terlambat per instansi (eskalasi)', track: 'Lacak aduan', track_code: 'Kode pelacakan',
    not_public: 'Aduan tidak ditemukan atau belum dipublikasikan. Aduan tampil di sini setelah diverifikasi (kecuali rahasia).',
    deadline: 'Target penyelesaian', steps: 'Langkah penanganan', answer: 'Jawaban instansi', filed_at: 'Dilaporkan', updated: 'Diperbarui',
    resolved_at: 'Diselesaikan', rating: 'Penilaian', hidden: 'disembunyikan (jumlah kecil)', median_hours: 'Median jam selesai',
    error: 'Gagal', ok_done: 'Berhasil', local_signin: 'Masuk (mode lokal)', local_hint: 'Mode lokal: pilih peran; token dibuat oleh /local/token.',
    cognito_signin: 'Masuk dengan akun petugas', week: 'Minggu', this_week: 'Minggu ini', last_week: 'Minggu lalu',
    channel_desk: 'Loket', channel_phone: 'Telepon', channel_radio: 'Radio', channel_newspaper: 'Koran',
    results: 'Hasil', time: 'Waktu', by: 'Oleh', language: 'English', open: 'Buka', back: 'Kembali',
    upload_failed: 'Unggah foto gagal', choose: '— pilih —', area_name: 'Nama wilayah', rows: 'baris', progress: 'Proses', unassigned: 'Belum didisposisi',
  },
  en: {
    app: 'City Complaints', signin: 'Sign in', signout: 'Sign out', desk: 'Verification desk', entry: 'Enter complaint',
    agency: 'Agency queue', supervisor: 'Supervision', feed: 'Public complaints', stats: 'Public statistics',
    role: 'Role', verifier: 'Verifier', agency_officer: 'Agency officer', citizen: 'Citizen',
    name: 'Name', agency_id: 'Agency', status: 'Status', category: 'Category', area: 'Area',
    channel: 'Channel', priority: 'Priority', overdue: 'Overdue', order: 'Order', all: 'All',
    oldest: 'Oldest', urgent: 'Most urgent', due: 'Soonest due', code: 'Code', title: 'Title',
    sla: 'Deadline', filter: 'Filter', refresh: 'Reload', none: 'No complaints.', loading: 'Loading…',
    left: 'left', late: 'late', bulk: 'Bulk action', apply: 'Apply', selected: 'selected',
    accept_suggestion: 'Accept suggestion', verify: 'Verify', assign: 'Assign', hold: 'Hold',
    reject: 'Reject', mark_duplicate: 'Mark duplicate', request_info: 'Request information',
    provide_info: 'Provide information', accept: 'Accept', start: 'Start work', not_our_authority: 'Not our authority',
    resolve: 'Resolve', approve_answer: 'Approve the answer', return_answer: 'Send the answer back', reopen: 'Reopen', close: 'Close', note: 'Note', reason: 'Reason',
    response: "Agency's answer", duplicate_of: 'Original tracking code', photo: 'Photo evidence', text: 'Complaint',
    location: 'Location', reporter: 'Reporter', anonymous: 'Anonymous (identity masked)', suggestion: 'Triage suggestion',
    confidence: 'Confidence', keywords: 'Keywords', duplicates: 'Possible duplicates', distance: 'Distance',
    similarity: 'Similarity', photos: 'Photos', no_photos: 'No photos.', timeline: 'Timeline', comments: 'Comments',
    comment: 'Write a comment', internal: 'Internal (hidden from the citizen)', internal_badge: 'Internal note', send: 'Send', actions: 'Actions',
    no_actions: 'Nothing your role can do at this status.', conflict: 'Someone else changed this complaint.',
    reload: 'Reload and try again', this_complaint: 'This complaint', coordinates: 'Coordinates',
    map_offline: 'Map unavailable (offline); area and coordinates shown.', address: 'Address',
    source_reference: 'Source (newspaper, edition, call id)', phone: 'Phone', email: 'Email',
    confidential: 'Confidential (never published)', filed: 'Complaint filed', lat: 'Latitude', lon: 'Longitude',
    backlog: 'Backlog', league: 'Agency SLA league', trending: 'Categories rising this week',
    per_day: 'Filed and resolved per day', sla_pct: 'SLA compliance per agency', blocked: 'Block list',
    sender_ref: 'Sender (e.g. whatsapp:+62…)', block: 'Block', unblock: 'Unblock', exports: 'CSV exports',
    kind: 'Kind', complaints: 'Complaints', statistics: 'Statistics', from: 'From', to: 'To', start_export: 'Start export',
    download: 'Download', received: 'Filed', resolved: 'Resolved', rank: 'Rank', compliance: 'Compliance',
    escalations: 'Overdue by agency (escalations)', track: 'Track a complaint', track_code: 'Tracking code',
    not_public: 'Complaint not found or not published yet. Complaints appear here once verified (unless confidential).',
    deadline: 'Resolution due', steps: 'Progress so far', answer: "Agency's answer", filed_at: 'Reported', updated: 'Updated',
    resolved_at: 'Resolved', rating: 'Rating', hidden: 'hidden (small count)', median_hours: 'Median hours to resolve',
    error: 'Failed', ok_done: 'Done', local_signin: 'Sign in (local mode)', local_hint: 'Local mode: pick a role; /local/token issues the token.',
    cognito_signin: 'Sign in with your officer account', week: 'Week', this_week: 'This week', last_week: 'Last week',
    channel_desk: 'Counter', channel_phone: 'Phone', channel_radio: 'Radio', channel_newspaper: 'Newspaper',
    results: 'Results', time: 'Time', by: 'By', language: 'Bahasa Indonesia', open: 'Open', back: 'Back',
    upload_failed: 'Photo upload failed', choose: '— choose —', area_name: 'Area name', rows: 'rows', progress: 'Progress', unassigned: 'Not assigned yet',
  },
};

// Status names for filters (a complaint itself carries its status_label from the API).
export const STATUS = {
  received: ['Diterima', 'Received'], verified: ['Terverifikasi', 'Verified'], on_hold: ['Ditunda', 'On hold'],
  need_info: ['Menunggu informasi', 'Waiting for information'], rejected: ['Ditolak', 'Rejected'],
  duplicate: ['Duplikat', 'Duplicate'], assigned: ['Didisposisikan', 'Assigned'], accepted: ['Diterima instansi', 'Accepted'],
  in_progress: ['Sedang ditindaklanjuti', 'In progress'], returned: ['Dikembalikan', 'Returned'],
  resolved: ['Selesai', 'Resolved'], reopened: ['Dibuka kembali', 'Reopened'], closed: ['Ditutup', 'Closed'],
};
export function statusName(status) {
  const pair = STATUS[status];
  return pair ? pair[lang === 'en' ? 1 : 0] : status;
}

// What happened, in words, for timeline entries that are not an officer's action.
const EVENTS = {
  TicketCreated: ['Aduan diterima', 'Complaint received'], TicketVerified: ['Diverifikasi', 'Verified'],
  TicketAssigned: ['Didisposisikan', 'Assigned'], TicketForwarded: ['Diteruskan', 'Forwarded'],
  TicketStatusChanged: ['Status berubah', 'Status changed'], TicketResolved: ['Diselesaikan', 'Resolved'],
  TicketClosed: ['Ditutup', 'Closed'], TicketReopened: ['Dibuka kembali', 'Reopened'],
  CommentAdded: ['Komentar', 'Comment'], RatingGiven: ['Penilaian warga', 'Citizen rating'],
  TicketRouted: ['Saran triase', 'Triage suggestion'], DuplicateMerged: ['Duplikat digabung', 'Duplicate merged'],
  SlaReminder: ['Pengingat tenggat', 'Deadline reminder'], SlaBreached: ['Tenggat terlewati', 'Deadline missed'],
  SlaEscalated: ['Dieskalasi', 'Escalated'], SlaClockStopped: ['Tenggat dihentikan', 'Deadline clock stopped'],
  NotificationRecorded: ['Notifikasi', 'Notification'],
};
export function eventName(type) {
  const pair = EVENTS[type];
  return pair ? pair[lang === 'en' ? 1 : 0] : type;
}

// Who acted, for the timeline (the API gives the role's code; "supervisor" as a word is also the page's name).
const ROLES = {
  citizen: ['Warga', 'Citizen'], verifier: ['Verifikator', 'Verifier'], agency_officer: ['Petugas instansi', 'Agency officer'],
  supervisor: ['Supervisor', 'Supervisor'], system: ['Sistem', 'System'], parent_agency: ['Instansi induk', 'Parent agency'],
};
export function roleName(role) {
  const pair = ROLES[role];
  return pair ? pair[lang === 'en' ? 1 : 0] : role;
}

// What an API error code means, for officers (the API's own message is English and stays beside it).
const ERRORS = {
  invalid_transition: ['Tindakan ini tidak bisa dilakukan pada status aduan sekarang.', 'This action is not possible at the complaint\'s current status.'],
  forbidden: ['Peran Anda tidak berhak melakukan ini.', 'Your role may not do this.'],
  forbidden_action: ['Peran Anda tidak berhak melakukan tindakan ini.', 'Your role may not take this action.'],
  unauthorized: ['Sesi Anda berakhir; silakan masuk lagi.', 'Your session ended; please sign in again.'],
  not_found: ['Tidak ditemukan.', 'Not found.'],
  validation_error: ['Isian belum benar:', 'Some fields need fixing:'],
  request_in_progress: ['Permintaan yang sama masih diproses; coba lagi sebentar.', 'The same request is still being processed; try again shortly.'],
  rate_limited: ['Terlalu banyak permintaan; coba lagi nanti.', 'Too many requests; try again later.'],
  too_many_requests: ['Terlalu banyak permintaan; coba lagi nanti.', 'Too many requests; try again later.'],
  service_unavailable: ['Layanan sedang sibuk; coba lagi beberapa detik lagi.', 'The service is busy; try again in a few seconds.'],
  payload_too_large: ['Berkas atau isian terlalu besar.', 'The file or form is too large.'],
  unsupported_media_type: ['Jenis berkas tidak didukung.', 'This file type is not supported.'],
  already_rated: ['Aduan ini sudah dinilai.', 'This complaint has already been rated.'],
  reopen_window_closed: ['Batas waktu untuk membuka kembali sudah lewat.', 'The time to reopen has passed.'],
  sender_blocked: ['Pengirim ini diblokir.', 'This sender is blocked.'],
  limit_reached: ['Batas tercapai.', 'The limit has been reached.'],
};
export function errorWords(code) {
  const pair = ERRORS[code];
  return pair ? pair[lang === 'en' ? 1 : 0] : null;
}

export let lang = localStorage.getItem('aduan.lang') === 'en' ? 'en' : 'id';
document.documentElement.lang = lang;

export function t(key) {
  return WORDS[lang][key] ?? WORDS.id[key] ?? key;
}

export function setLang(next) {
  lang = next;
  localStorage.setItem('aduan.lang', next);
  document.documentElement.lang = next;
}

// A {id, en} label from the API, in the chosen language.
export function label(pair, fallback = '') {
  return pair ? (pair[lang] || pair.id || fallback) : fallback;
}

const ZONE = 'Asia/Jakarta';
const formats = {};  // one formatter per language: building one per date is what makes long lists slow
export function when(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  formats[lang] ||= new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'id-ID', {
    timeZone: ZONE, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit',
  });
  return `${formats[lang].format(date)} WIB`;
}

// "3 j 20 m sisa" / "2 h 5 m late": how long until (or since) a deadline.
export function timeLeft(seconds) {
  const late = seconds < 0;
  let rest = Math.abs(seconds);
  const days = Math.floor(rest / 86400); rest -= days * 86400;
  const hours = Math.floor(rest / 3600);
  const minutes = Math.floor((rest - hours * 3600) / 60);
  const unit = lang === 'en' ? { d: 'd', h: 'h', m: 'm' } : { d: 'hr', h: 'j', m: 'mnt' };
  const text = days ? `${days} ${unit.d} ${hours} ${unit.h}` : `${hours} ${unit.h} ${minutes} ${unit.m}`;
  return `${text} ${late ? t('late') : t('left')}`;
}
