package app

// The catalogue of the institution picker (institution_picker.go): Korean,
// then English. Institutions' names are Korean in both languages: they are
// what the confirmation carries.
var (
	txtPickerPlaceholder = text{"기관 이름이나 초성으로 찾기 (예: 국민연금, ㄱㅁㅇㄱ)", "Search by name or Korean initials (e.g. 국민연금, ㄱㅁㅇㄱ)"}
	txtPickerAll         = text{"전체", "All"}
	txtPickerAllRegions  = text{"모든 지역", "All regions"}
	txtPickerNational    = text{"전국", "Nationwide"}
	txtPickerRecent      = text{"최근 선택", "Recently chosen"}
	txtPickerNone        = text{
		"찾는 기관이 없습니다. 글자를 줄이거나 초성(예: ㄱㅁㅇㄱ)으로 찾아 보세요.",
		"No institution matches. Type fewer letters, or the Korean initials (e.g. ㄱㅁㅇㄱ).",
	}
	txtPickerCount         = text{"%d곳", "%d found"}
	txtPickerCountMore     = text{"%d곳 중 %d곳 표시", "%d found, %d shown"}
	txtPickerKeys          = text{"위·아래 화살표로 옮기고 Enter로 선택", "Up and Down to move, Enter to choose"}
	txtPickerChosen        = text{"선택한 기관: %s", "Chosen: %s"}
	txtPickerNothingChosen = text{
		"아직 고르지 않았습니다. 목록에서 누르거나, 위·아래 화살표로 옮긴 뒤 Enter를 누르세요.",
		"Nothing chosen yet. Click one in the list, or move with Up and Down and press Enter.",
	}

	txtCatCentral     = text{"중앙행정기관", "Central government"}
	txtCatLocal       = text{"지방자치단체", "Local government"}
	txtCatAgency      = text{"소속기관", "Affiliated agency"}
	txtCatPublic      = text{"공공기관", "Public institution"}
	txtCatLocalPublic = text{"지방공사·공단", "Local public corp."}
	txtCatSpecial     = text{"특수법인", "Special corporation"}
	txtCatSchool      = text{"학교", "School"}
	txtKindProvince   = text{"광역자치단체", "Province or metropolitan city"}
)
