"""The first text of the three information pages, in each language. Coordinators edit
them in the admin from then on; this only creates a page that is missing."""

from django.db import migrations

SAFETY = {
    "title_en": "How to stay safe",
    "body_en": """<p>A statement published here is public: anyone in the world can read it. Before you send one, think about what it could mean for you and your family, and take these steps.</p>
<h2>Use an alias</h2>
<p>You do not have to give your real name. An alias, a nickname or a description such as "a teacher in Guangdong" is welcome, and it counts just the same. Tick "This is an alias" and it is shown as one.</p>
<h2>What becomes public</h2>
<p>Once a volunteer has read your statement and published it, everyone can see:</p>
<ul>
<li>the name or alias you gave;</li>
<li>the organizations you left;</li>
<li>the region you chose (choose "Prefer not to say" if yours could identify you);</li>
<li>the day it was published;</li>
<li>your text, exactly as you wrote it.</li>
</ul>
<p><strong>Never write a phone number, an ID card number, an address, an email address, or the name of your workplace or school in your text.</strong> Reviewers hold back statements with such details, but it is safest to leave them out.</p>
<p>The site keeps no record of your IP address or your browser, and sets no cookies for readers. Nothing we keep can tell anyone where you wrote from.</p>
<h2>Keep your receipt code secret</h2>
<p>After you send a statement you are shown a receipt code, once. With it you can check whether your statement has been published; so can anyone else who has it. Write it down where nobody else will find it, do not send it through chat apps, and do not keep it on a phone that may be checked. We cannot recover a lost code.</p>
<h2>From mainland China: use Tor Browser</h2>
<p>Your internet provider can see which sites you visit. Tor Browser hides that: your connection passes through three relays around the world, so neither your provider nor this site learns where you are.</p>
<ul>
<li><strong>Get it only from the Tor Project.</strong> Where its website is blocked, send an email to <code>gettor@torproject.org</code> (from Gmail or Riseup), or write to <code>@GetTorBot</code> on Telegram, and you receive download links.</li>
<li><strong>Use a bridge.</strong> In mainland China Tor does not connect without one. When Tor Browser starts, choose "Configure Connection" and select a built-in bridge: try <strong>Snowflake</strong> first, then <strong>meek</strong> (slow, but it often gets through).</li>
<li>If neither connects, ask for private <strong>obfs4</strong> or <strong>WebTunnel</strong> bridges from <code>@GetBridgesBot</code> on Telegram, or by email to <code>bridges@torproject.org</code>, and paste them under "Add a bridge manually".</li>
<li>Set Tor Browser's security level to "Safest". This site works completely without JavaScript.</li>
<li>When Tor Browser offers this site's onion address ("onion available"), use it.</li>
</ul>
<p>A VPN hides your visits from your provider, but not from the VPN company, and many VPNs sold in China are watched.</p>
<h2>Your device</h2>
<p>Use a device only you use, if you can. Close Tor Browser when you are done: it forgets the pages you visited. Do not take screenshots of your statement or of your receipt code. If your phone or computer may be checked, at a border or by the police, keep nothing about your statement on it.</p>
<h2>If a volunteer writes it down for you</h2>
<p>Volunteers can enter a statement for you, in person, by phone or from a paper form, and give you a slip with your receipt code. Keep the slip as carefully as the code itself.</p>""",
    "title_zh_hans": "如何保护自己",
    "body_zh_hans": """<p>在这里发布的声明是公开的，世界上任何人都能看到。发送之前，请想一想这对您和家人可能意味着什么，并采取以下措施。</p>
<h2>使用化名</h2>
<p>您不必使用真实姓名。化名、昵称，或“广东一教师”这样的描述都可以，同样计数。勾选“这是化名”，发布时会标明是化名。</p>
<h2>哪些内容会公开</h2>
<p>志愿者阅读并发布您的声明后，所有人都能看到：</p>
<ul>
<li>您填写的姓名或化名；</li>
<li>您退出的组织；</li>
<li>您选择的地区（如果您的地区可能暴露身份，请选择“不愿透露”）；</li>
<li>发布日期；</li>
<li>您写的声明原文。</li>
</ul>
<p><strong>请不要在声明中写电话号码、身份证号码、住址、电子邮箱，或您的工作单位、学校的名称。</strong>审核志愿者会拦下含有这些信息的声明，但最安全的做法是根本不写。</p>
<p>本站不记录您的 IP 地址和浏览器信息，也不给读者设置 Cookie。我们保存的任何内容都无法说明您是从哪里发送的。</p>
<h2>保管好回执码</h2>
<p>发送声明后，您会看到一个回执码，只显示一次。凭它可以查询声明是否已发布；任何拿到它的人也能查询。请把它记在别人找不到的地方，不要通过聊天软件发送，也不要存在可能被检查的手机里。回执码丢失后我们无法找回。</p>
<h2>在中国大陆：请使用 Tor 浏览器</h2>
<p>网络运营商能看到您访问了哪些网站。Tor 浏览器可以隐藏这一点：您的连接经过世界各地的三个中继，运营商和本站都无法知道您在哪里。</p>
<ul>
<li><strong>只从 Tor 项目获取 Tor 浏览器。</strong>如果其网站被封锁，可以用 Gmail 或 Riseup 邮箱发邮件到 <code>gettor@torproject.org</code>，或在 Telegram 上联系 <code>@GetTorBot</code>，获取下载链接。</li>
<li><strong>使用网桥。</strong>在中国大陆，不用网桥无法连接 Tor。启动 Tor 浏览器时选择“配置连接”，选用内置网桥：先试 <strong>Snowflake</strong>，再试 <strong>meek</strong>（较慢，但常常能连上）。</li>
<li>如果都连不上，可以在 Telegram 上向 <code>@GetBridgesBot</code> 索取私有的 <strong>obfs4</strong> 或 <strong>WebTunnel</strong> 网桥，或发邮件到 <code>bridges@torproject.org</code>，然后在“手动添加网桥”中粘贴。</li>
<li>把 Tor 浏览器的安全级别设为“最安全”。本站不需要 JavaScript 也能完整使用。</li>
<li>如果 Tor 浏览器提示本站有洋葱地址（“onion available”），请使用它。</li>
</ul>
<p>VPN 可以对运营商隐藏您的访问，但 VPN 公司自己看得到，而且在中国出售的许多 VPN 受到监控。</p>
<h2>您的设备</h2>
<p>尽量使用只有您自己用的设备。用完后关闭 Tor 浏览器，它会忘记您访问过的网页。不要截图保存您的声明或回执码。如果您的手机或电脑可能在边境或被警察检查，不要在上面留下任何与声明有关的东西。</p>
<h2>由志愿者代为录入</h2>
<p>志愿者可以当面、通过电话或根据纸质表格为您录入声明，并交给您一张印有回执码的纸条。请像保管回执码一样保管好这张纸条。</p>""",
    "title_zh_hant": "如何保護自己",
    "body_zh_hant": """<p>在這裡發布的聲明是公開的，世界上任何人都能看到。發送之前，請想一想這對您和家人可能意味著什麼，並採取以下措施。</p>
<h2>使用化名</h2>
<p>您不必使用真實姓名。化名、暱稱，或「廣東一教師」這樣的描述都可以，同樣計數。勾選「這是化名」，發布時會標明是化名。</p>
<h2>哪些內容會公開</h2>
<p>志工閱讀並發布您的聲明後，所有人都能看到：</p>
<ul>
<li>您填寫的姓名或化名；</li>
<li>您退出的組織；</li>
<li>您選擇的地區（如果您的地區可能暴露身分，請選擇「不願透露」）；</li>
<li>發布日期；</li>
<li>您寫的聲明原文。</li>
</ul>
<p><strong>請不要在聲明中寫電話號碼、身分證號碼、住址、電子郵件地址，或您的工作單位、學校的名稱。</strong>審核志工會攔下含有這些資訊的聲明，但最安全的做法是根本不寫。</p>
<p>本站不記錄您的 IP 位址和瀏覽器資訊，也不為讀者設定 Cookie。我們保存的任何內容都無法說明您是從哪裡發送的。</p>
<h2>保管好回執碼</h2>
<p>發送聲明後，您會看到一個回執碼，只顯示一次。憑它可以查詢聲明是否已發布；任何拿到它的人也能查詢。請把它記在別人找不到的地方，不要透過聊天軟體傳送，也不要存在可能被檢查的手機裡。回執碼遺失後我們無法找回。</p>
<h2>在中國大陸：請使用 Tor 瀏覽器</h2>
<p>網路業者能看到您造訪了哪些網站。Tor 瀏覽器可以隱藏這一點：您的連線經過世界各地的三個中繼站，業者和本站都無法知道您在哪裡。</p>
<ul>
<li><strong>只從 Tor 專案取得 Tor 瀏覽器。</strong>如果其網站被封鎖，可以用 Gmail 或 Riseup 信箱寄信到 <code>gettor@torproject.org</code>，或在 Telegram 上聯絡 <code>@GetTorBot</code>，取得下載連結。</li>
<li><strong>使用橋接。</strong>在中國大陸，不用橋接無法連上 Tor。啟動 Tor 瀏覽器時選擇「設定連線」，選用內建橋接：先試 <strong>Snowflake</strong>，再試 <strong>meek</strong>（較慢，但常常能連上）。</li>
<li>如果都連不上，可以在 Telegram 上向 <code>@GetBridgesBot</code> 索取私人的 <strong>obfs4</strong> 或 <strong>WebTunnel</strong> 橋接，或寄信到 <code>bridges@torproject.org</code>，然後在「手動新增橋接」中貼上。</li>
<li>把 Tor 瀏覽器的安全等級設為「最安全」。本站不需要 JavaScript 也能完整使用。</li>
<li>如果 Tor 瀏覽器提示本站有洋蔥位址（「onion available」），請使用它。</li>
</ul>
<p>VPN 可以對網路業者隱藏您的造訪，但 VPN 公司自己看得到，而且在中國販售的許多 VPN 受到監控。</p>
<h2>您的裝置</h2>
<p>盡量使用只有您自己用的裝置。用完後關閉 Tor 瀏覽器，它會忘記您造訪過的網頁。不要截圖保存您的聲明或回執碼。如果您的手機或電腦可能在邊境或被警察檢查，不要在上面留下任何與聲明有關的東西。</p>
<h2>由志工代為錄入</h2>
<p>志工可以當面、透過電話或根據紙本表格為您錄入聲明，並交給您一張印有回執碼的紙條。請像保管回執碼一樣保管好這張紙條。</p>""",
}

COUNTING = {
    "title_en": "What the counts mean",
    "body_en": """<p>The figures on the home page count the people who have published a statement here that they have withdrawn from the Chinese Communist Party, the Communist Youth League or the Young Pioneers.</p>
<h2>Each person counts once</h2>
<p>Each published statement is one person, counted once in the total. Someone who left more than one organization counts once in the total and once under each organization they left, so the figures for the three organizations add up to more than the total.</p>
<h2>Only statements published after review</h2>
<p>A volunteer reads every statement before it is published. Statements that were declined (copies of another, nonsense, or text that puts someone in danger) are not counted, nor are those still waiting to be read. A statement removed after publication leaves the counts too. So a flood of fake statements counts only if reviewers publish it.</p>
<h2>Days</h2>
<p>A statement counts on the day it was published, in China Standard Time (UTC+8), not the day it was written. The counts are brought up to date every few seconds and counted again in full every night.</p>
<h2>History from before this site</h2>
<p>The daily counts the operation kept before this site opened are included in the total and the daily figures. From the first day a statement was published here, each day is counted from the statements published here alone, so no day is counted twice.</p>
<h2>What the counts do not say</h2>
<p>They count statements, not verified identities: we ask nobody to prove who they are, so that nobody has to reveal it. Review stops copies and floods, not every untrue statement.</p>""",
    "title_zh_hans": "统计数字的含义",
    "body_zh_hans": """<p>首页上的数字统计的是在本站发布声明、表示已退出中国共产党、共青团或少先队的人数。</p>
<h2>每人只计一次</h2>
<p>每一份发布的声明代表一个人，在总数中计一次。退出不止一个组织的人，在总数中计一次，并在他退出的每个组织下各计一次，所以三个组织的数字相加会大于总数。</p>
<h2>只计审核后发布的声明</h2>
<p>每份声明在发布前都由志愿者阅读。被拒绝的声明（重复的、无意义的，或会危及他人的）不计入，尚在等待审核的也不计入。发布后被撤下的声明也会从统计中去掉。因此，大量虚假声明只有在审核者发布后才会被计入。</p>
<h2>日期</h2>
<p>声明按发布当天计入，以北京时间（UTC+8）为准，而不是按撰写的日期。统计每隔几秒更新一次，每晚全部重新计算。</p>
<h2>本站之前的历史</h2>
<p>本站开通之前累计的每日统计已计入总数和每日数字。从本站发布第一份声明的那天起，每一天都只按本站发布的声明计算，所以没有哪一天会被重复计算。</p>
<h2>统计不说明什么</h2>
<p>统计的是声明，而不是经过核实的身份：我们不要求任何人证明自己是谁，这样就没有人需要暴露身份。审核能拦住重复和大量灌水的声明，但不能拦住每一份不真实的声明。</p>""",
    "title_zh_hant": "統計數字的含義",
    "body_zh_hant": """<p>首頁上的數字統計的是在本站發布聲明、表示已退出中國共產黨、共青團或少先隊的人數。</p>
<h2>每人只計一次</h2>
<p>每一份發布的聲明代表一個人，在總數中計一次。退出不止一個組織的人，在總數中計一次，並在他退出的每個組織下各計一次，所以三個組織的數字相加會大於總數。</p>
<h2>只計審核後發布的聲明</h2>
<p>每份聲明在發布前都由志工閱讀。被拒絕的聲明（重複的、無意義的，或會危及他人的）不計入，尚在等待審核的也不計入。發布後被撤下的聲明也會從統計中去掉。因此，大量虛假聲明只有在審核者發布後才會被計入。</p>
<h2>日期</h2>
<p>聲明按發布當天計入，以北京時間（UTC+8）為準，而不是按撰寫的日期。統計每隔幾秒更新一次，每晚全部重新計算。</p>
<h2>本站之前的歷史</h2>
<p>本站開通之前累計的每日統計已計入總數和每日數字。從本站發布第一份聲明的那天起，每一天都只按本站發布的聲明計算，所以沒有哪一天會被重複計算。</p>
<h2>統計不說明什麼</h2>
<p>統計的是聲明，而不是經過核實的身分：我們不要求任何人證明自己是誰，這樣就沒有人需要暴露身分。審核能攔住重複和大量灌水的聲明，但不能攔住每一份不真實的聲明。</p>""",
}

ABOUT = {
    "title_en": "About this site",
    "body_en": """<p>This site publishes the statements of people who have withdrawn from the Chinese Communist Party, the Communist Youth League and the Young Pioneers, and counts them.</p>
<p>Anyone can make a statement, under their own name or an alias. A volunteer reads each one before it is published, and holds back details that could put someone in danger. Volunteers also enter statements for people who cannot use the site themselves: in person, by phone or from paper forms.</p>
<p>The site is built for people who fear retaliation. It keeps no record of your IP address or your browser, sets no cookies for readers, loads nothing from other sites, and every page works without JavaScript, in Simplified Chinese, Traditional Chinese and English. Read <a href="/en/safety/">how to stay safe</a> before you make a statement.</p>
<p>Statements are shown in the script of the page you are reading: one written in Simplified characters appears in Traditional characters on the Traditional Chinese pages, and the other way round, converted by computer. Each statement's own page also shows it as it was written; English pages show every statement as written.</p>
<p>The published statements and the counts are open to all: <a href="/api/v1/statements/">/api/v1/statements/</a> and <a href="/api/v1/tallies/">/api/v1/tallies/</a> (JSON), with each statement as written.</p>""",
    "title_zh_hans": "关于本站",
    "body_zh_hans": """<p>本站发布已退出中国共产党、共青团和少先队的人的声明，并进行统计。</p>
<p>任何人都可以用真名或化名发表声明。每份声明在发布前都由志愿者阅读，可能危及他人的细节会被拦下。志愿者也为无法自己使用本站的人录入声明：当面、通过电话或根据纸质表格。</p>
<p>本站为担心遭到报复的人而建。它不记录您的 IP 地址和浏览器信息，不给读者设置 Cookie，不从其他网站加载任何内容；每个页面都不需要 JavaScript，并提供简体中文、繁体中文和英文版本。发表声明之前，请先阅读<a href="/zh-hans/safety/">如何保护自己</a>。</p>
<p>声明以您正在阅读的页面所用的文字（简体或繁体）显示：用简体字写的声明在繁体中文页面上以繁体字显示，反之亦然，由电脑自动转换。每份声明自己的页面也会显示原文；英文页面一律显示原文。</p>
<p>已发布的声明和统计数字向所有人开放：<a href="/api/v1/statements/">/api/v1/statements/</a> 和 <a href="/api/v1/tallies/">/api/v1/tallies/</a>（JSON 格式），其中的声明均为原文。</p>""",
    "title_zh_hant": "關於本站",
    "body_zh_hant": """<p>本站發布已退出中國共產黨、共青團和少先隊的人的聲明，並進行統計。</p>
<p>任何人都可以用真名或化名發表聲明。每份聲明在發布前都由志工閱讀，可能危及他人的細節會被攔下。志工也為無法自己使用本站的人錄入聲明：當面、透過電話或根據紙本表格。</p>
<p>本站為擔心遭到報復的人而建。它不記錄您的 IP 位址和瀏覽器資訊，不為讀者設定 Cookie，不從其他網站載入任何內容；每個頁面都不需要 JavaScript，並提供簡體中文、繁體中文和英文版本。發表聲明之前，請先閱讀<a href="/zh-hant/safety/">如何保護自己</a>。</p>
<p>聲明以您正在閱讀的頁面所用的文字（簡體或繁體）顯示：用簡體字寫的聲明在繁體中文頁面上以繁體字顯示，反之亦然，由電腦自動轉換。每份聲明自己的頁面也會顯示原文；英文頁面一律顯示原文。</p>
<p>已發布的聲明和統計數字向所有人開放：<a href="/api/v1/statements/">/api/v1/statements/</a> 和 <a href="/api/v1/tallies/">/api/v1/tallies/</a>（JSON 格式），其中的聲明均為原文。</p>""",
}

PAGES = {"safety": SAFETY, "counting": COUNTING, "about": ABOUT}


def create_pages(apps, schema_editor):
    InfoPage = apps.get_model("pages", "InfoPage")
    for slug, fields in PAGES.items():
        InfoPage.objects.get_or_create(slug=slug, defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("pages", "0001_initial")]

    operations = [migrations.RunPython(create_pages, migrations.RunPython.noop)]
