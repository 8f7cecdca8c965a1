package app

// The texts of the lookup history in the wallet (issue 6): who looked a
// confirmation up, and when. Korean, then English, as in i18n.go.
var (
	txtHistoryTitle       = text{"조회 이력", "Lookup history"}
	txtHistoryIntro       = text{"이 확인서를 발급번호로 조회한 기관과 그 시각입니다. 성명이 맞지 않는 등 거절된 조회도 보여 줍니다.", "Which institutions looked this confirmation up by its issue number, and when, refused attempts (a wrong name, for example) included."}
	txtHistoryLoading     = text{"조회 이력을 가져오는 중…", "Fetching the lookup history…"}
	txtHistoryEmpty       = text{"아직 아무 기관도 조회하지 않았습니다.", "No institution has looked it up yet."}
	txtHistoryNoToken     = text{"조회 이력 없음 (이전에 받은 발급증)", "No lookup history (a receipt received earlier)"}
	txtHistoryNoTokenBody = text{
		"이 발급증은 조회 이력을 볼 수 있게 되기 전에 받았거나 다른 곳에서 가져온 것이어서, 이 컴퓨터에서는 조회 이력을 볼 수 없습니다.",
		"This receipt was received before lookup histories existed, or imported from elsewhere, so its lookup history cannot be read on this computer.",
	}
	txtHistoryOffline         = text{"인터넷에 연결되지 않아 조회 이력을 가져올 수 없습니다.", "Not connected to the internet: the lookup history cannot be fetched."}
	txtHistoryStale           = text{"인터넷에 연결되지 않아 최신 조회 이력을 가져오지 못했습니다. 아래는 마지막으로 가져온 이력입니다.", "Not connected to the internet: the newest lookup history could not be fetched. Below is the one last fetched."}
	txtHistoryFailed          = text{"조회 이력을 가져오지 못했습니다.", "The lookup history could not be fetched."}
	txtHistoryAsOf            = text{"마지막 확인: %s", "Last checked: %s"}
	txtHistoryBy              = text{"조회자: %s", "By: %s"}
	txtHistoryRefused         = text{"거절됨", "Refused"}
	txtResultFound            = text{"확인", "Checked"}
	txtResultWrongName        = text{"성명 불일치", "wrong name"}
	txtResultOtherInstitution = text{"제출기관 아님", "not the institution it is for"}
	txtHistoryRefresh         = text{"조회 이력 새로 고침", "Refresh the lookup history"}
)
